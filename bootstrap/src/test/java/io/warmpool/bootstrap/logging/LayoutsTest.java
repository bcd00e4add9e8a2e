package io.warmpool.bootstrap.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LayoutsTest {

    static final Instant AT = Instant.parse("2026-12-05T21:40:00.007Z");

    static LoggingEvent event(String logger, Level level, String message, Throwable error, Map<String, String> mdc,
                              List<KeyValuePair> pairs) {
        LoggerContext context = new LoggerContext();
        LoggingEvent e = new LoggingEvent("fqcn", context.getLogger(logger), level, message, error, null);
        e.setTimeStamp(AT.toEpochMilli());
        e.setMDCPropertyMap(mdc);
        pairs.forEach(e::addKeyValuePair);
        return e;
    }

    @Test
    void givenAPassRecord_thenTheTextLineIsInstantLevelComponentMessageAndFields() {
        String line = new TextLayout().doLayout(event("io.warmpool.bootstrap.runtime.LiveView", Level.INFO, "pass", null,
                Map.of("pass", "17", "zone", "eu west"), List.of(new KeyValuePair("presets", 3), new KeyValuePair("eligible", "4/5"))));
        assertThat(line).isEqualTo("2026-12-05T21:40:00.007Z INFO  reconcile  pass presets=3 eligible=4/5 pass=17 zone=\"eu west\"\n");
    }

    @Test
    void givenHostileText_thenItNeverStartsALineOfItsOwn() {
        String line = new TextLayout().doLayout(event("io.warmpool.adapters.http.errors.ErrorMapping", Level.WARN,
                "bad name\n2026-01-01T00:00:00.000Z ERROR forged\r\u2028", null, Map.of("request", "a\"b=c\nd"), List.of()));
        assertThat(line.lines()).hasSize(1);
        assertThat(line).startsWith("2026-12-05T21:40:00.007Z WARN  http       bad name\\n2026-01-01T00:00:00.000Z ERROR forged\\r\\u2028")
                .endsWith(" request=\"a\\\"b=c\\nd\"\n");
    }

    @Test
    void givenAnException_thenTheLineNamesIt_andTheStackFollowsOnTabbedLines() {
        String text = new TextLayout().doLayout(event("com.zaxxer.hikari.pool.HikariPool", Level.ERROR, "pool failed",
                new IllegalStateException("boom", new java.io.IOException("gone")), Map.of(), List.of()));
        List<String> lines = text.lines().toList();
        assertThat(lines.get(0)).isEqualTo("2026-12-05T21:40:00.007Z ERROR hikari     pool failed"
                + " error=\"java.lang.IllegalStateException: boom; caused by java.io.IOException: gone\"");
        assertThat(lines.subList(1, lines.size())).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("\t"));
    }

    @Test
    void givenARecord_thenJsonIsOneObjectWithTheStableFields_numbersAsNumbers() throws Exception {
        String json = new JsonLayout().doLayout(event("io.warmpool.application.service.BuildOutcomes", Level.WARN,
                "create failed: boom\nsecond line", new RuntimeException("x"), Map.of("preset", "t@v1/p", "message", "clash"),
                List.of(new KeyValuePair("k", 3), new KeyValuePair("retryNotBefore", "2026-12-05T21:41:00Z"))));
        assertThat(json.lines()).hasSize(1);
        JsonNode r = new ObjectMapper().readTree(json);
        assertThat(r.path("ts").asText()).isEqualTo("2026-12-05T21:40:00.007Z");
        assertThat(r.path("level").asText()).isEqualTo("WARN");
        assertThat(r.path("component").asText()).isEqualTo("worker");
        assertThat(r.path("logger").asText()).isEqualTo("io.warmpool.application.service.BuildOutcomes");
        assertThat(r.path("message").asText()).isEqualTo("create failed: boom\nsecond line");
        assertThat(r.path("k").isInt()).isTrue();
        assertThat(r.path("retryNotBefore").asText()).isEqualTo("2026-12-05T21:41:00Z");
        assertThat(r.path("preset").asText()).isEqualTo("t@v1/p");
        assertThat(r.path("message_").asText()).as("a context field never overwrites a fixed one").isEqualTo("clash");
        assertThat(r.path("error").asText()).isEqualTo("java.lang.RuntimeException: x");
        assertThat(r.path("stack").asText()).contains("at io.warmpool.bootstrap.logging.LayoutsTest");
    }

    @Test
    void givenLoggerNames_thenTheirComponents() {
        assertThat(Components.of("io.warmpool.operator")).isEqualTo("operator");
        assertThat(Components.of("io.warmpool.application.service.ProvisionerWorkerService$1")).isEqualTo("worker");
        assertThat(Components.of("io.warmpool.adapters.db.embedded.EmbeddedPostgresServer")).isEqualTo("postgres");
        assertThat(Components.of("io.warmpool.adapters.db.PostgresNudgeAdapter")).isEqualTo("db");
        assertThat(Components.of("org.eclipse.jetty.server.Server")).isEqualTo("jetty");
        assertThat(Components.of("org.example.thing.Widget")).isEqualTo("example");
    }
}
