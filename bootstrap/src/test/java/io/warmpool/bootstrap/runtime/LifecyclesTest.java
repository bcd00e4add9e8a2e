package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecyclesTest {

    private final List<String> log = new ArrayList<>();

    private Lifecycle part(String name) {
        return Lifecycle.of(name, () -> log.add("start " + name), () -> log.add("stop " + name));
    }

    @Test
    void givenParts_theyStartInOrder_andStopInReverse_once() {
        Lifecycles parts = new Lifecycles(List.of(part("database"), part("workers"), part("api")));

        parts.start();
        parts.stop();
        parts.stop();

        assertThat(log).containsExactly("start database", "start workers", "start api",
                "stop api", "stop workers", "stop database");
    }

    @Test
    void givenAPartFailsToStart_thePartsBeforeItStopInReverse_andTheFailureIsRethrown() {
        Lifecycle broken = Lifecycle.of("api", () -> {
            throw new IllegalStateException("port in use");
        }, () -> log.add("stop api"));
        Lifecycles parts = new Lifecycles(List.of(part("database"), part("workers"), broken, part("loop")));

        assertThatThrownBy(parts::start).hasMessage("port in use");

        // the failed part never started, so it is not stopped; the loop after it never started
        assertThat(log).containsExactly("start database", "start workers", "stop workers", "stop database");
    }

    @Test
    void givenAPartFailsToStop_theOthersStillStop() {
        Lifecycle stubborn = Lifecycle.of("workers", () -> log.add("start workers"), () -> {
            throw new IllegalStateException("stuck");
        });
        Lifecycles parts = new Lifecycles(List.of(part("database"), stubborn, part("api")));
        parts.start();

        parts.stop();

        assertThat(log).containsExactly("start database", "start workers", "start api", "stop api", "stop database");
        assertThat(parts.isStarted(stubborn)).isFalse();
    }
}
