package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP under TLS reloads the certificate (its handler runs the reload) instead of stopping the JVM. */
class StopSignalsTest {

    @Test
    void aHangup_runsTheReload_eachTime() {
        Signal hup = new Signal("HUP");
        // This JVM's own handler (a hangup would stop the test run) is put back afterwards. Not SIG_IGN meanwhile: the
        // JVM installs no handler on a hangup signal the process ignores (as under nohup).
        SignalHandler previous = Signal.handle(hup, signal -> { });
        try {
            AtomicInteger reloads = new AtomicInteger();
            StopSignals.onHangup(reloads::incrementAndGet);
            Signal.raise(hup);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(reloads).hasValue(1));
            Signal.raise(hup);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(reloads).hasValue(2));
        } finally {
            Signal.handle(hup, previous);
        }
    }
}
