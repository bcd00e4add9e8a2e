package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Planner;
import io.warmpool.domain.plan.PlannerSettings;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LiveViewTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static StatusReport status() {
        PresetSnapshot broken = new PresetSnapshot(new PresetId("go-service", "v1", "broken"), Activity.ACTIVE,
                PrebuildPolicy.of(1), null, new FailureState(2, T0.minusSeconds(5), T0.plusSeconds(25), PresetStatus.HEALTHY),
                List.of(), List.of(), InFlight.NONE);
        PresetPlan plan = new Planner(PlannerSettings.DEFAULTS).plan(broken, T0);
        return new StatusReport(T0, false, List.of(plan), 0, Map.of());
    }

    private static PassReport pass() {
        return new PassReport(T0, null, status().presets(), 0, 0, 0, Map.of(), Duration.ofMillis(12));
    }

    @Test
    void onATerminal_theTableRefreshesInPlace_andTheBackoffCountsDown() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveView view = new LiveView(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "banner");
        view.show(pass(), status());
        String first = bytes.toString(StandardCharsets.UTF_8);
        assertThat(first).startsWith("\u001b[H\u001b[2J").contains("banner", "go-service/broken", "25s", "BACKOFF");
        bytes.reset();
        view.tick(T0.plusSeconds(10));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("15s");
        bytes.reset();
        view.tick(T0.plusSeconds(30));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("25s").doesNotContain("15s");
    }

    @Test
    void offATerminal_oneLogRecordPerPass_andNothingOnTheOutput() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveView view = new LiveView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "banner");
        List<ILoggingEvent> records = capture(() -> {
            view.show(pass(), status());
            view.tick(T0.plusSeconds(1));
            view.show(PassReport.skipped(T0, PassReport.Skipped.PAUSED), status());
        });
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).getFormattedMessage()).isEqualTo("pass");
        assertThat(records.get(0).getKeyValuePairs()).extracting(p -> p.key + "=" + p.value)
                .contains("presets=1", "eligible=0/1", "backoff=1", "tookMs=12", "errors=0");
        assertThat(records.get(1).getFormattedMessage()).isEqualTo("pass skipped");
        assertThat(records.get(1).getKeyValuePairs()).extracting(p -> p.key + "=" + p.value).contains("reason=paused");
    }

    /** The records LiveView logs while {@code action} runs. */
    static List<ILoggingEvent> capture(Runnable action) {
        Logger logger = (Logger) LoggerFactory.getLogger(LiveView.class);
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.start();
        logger.addAppender(list);
        try {
            action.run();
        } finally {
            logger.detachAppender(list);
        }
        return List.copyOf(list.list);
    }

    @Test
    void onATerminal_theLastWarningsStayUnderTheTable_whereARedrawDoesNotWipeThem() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveView view = new LiveView(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "banner");
        for (int i = 1; i <= LiveView.RECENT + 2; i++) {
            view.logged("2026-03-02T10:00:00.000Z WARN  worker     create failed: number " + i);
        }
        view.show(pass(), status());
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("recent warnings and errors", "create failed: number 7", "create failed: number 3")
                .doesNotContain("create failed: number 2\n");
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        LiveView off = new LiveView(new PrintStream(collected, true, StandardCharsets.UTF_8), false, "banner");
        off.logged("2026-03-02T10:00:00.000Z WARN  worker     create failed");
        assertThat(collected.toString(StandardCharsets.UTF_8)).as("off a terminal the log itself is the record").isEmpty();
    }

    @Test
    void theSignInLink_goesToATerminalOnly_neverToOutputThatLogsCollect() {
        String link = "http://127.0.0.1:8080/?code=one-time-code-123";
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        new LiveView(new PrintStream(terminal, true, StandardCharsets.UTF_8), true, "banner").signIn(link);
        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains(link);

        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        List<ILoggingEvent> records = capture(() ->
                new LiveView(new PrintStream(collected, true, StandardCharsets.UTF_8), false, "banner").signIn(link));
        assertThat(collected.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(records).singleElement().satisfies(r -> assertThat(r.getFormattedMessage())
                .doesNotContain("one-time-code-123").contains("`warmpool dashboard`", "bin/warmpool"));
    }
}
