package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.bootstrap.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running service prunes the event log by {@code --events-retention}, after a pass, in bounded batches. */
class EventRetentionEndToEndTest {

    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 2}
            """;
    private static final String SIMULATED = "create_latency: 20ms\ndelete_latency: 20ms\n";
    private static final Map<Setting, String> FLAGS = Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.SEED, "1",
            Setting.EVENTS_RETENTION, "30d");

    @TempDir
    Path dir;

    private static DSLContext dsl(InProcessService running) {
        return running.service().injector().getInstance(PostgresDatabase.class).dsl();
    }

    private static int count(DSLContext dsl, String where) {
        return dsl.fetchOne("select count(*) from events where " + where).get(0, Integer.class);
    }

    @Test
    void eventsOlderThanTheRetention_arePrunedByTheService_theYoungerKept() throws Exception {
        // given: a service's own events, then 25,000 events 40 days old (more than two batches) and 10 of 29 days
        try (InProcessService first = InProcessService.start(dir, PRESETS, SIMULATED, FLAGS)) {
            DSLContext dsl = dsl(first);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(dsl, "at > now() - interval '1 day'") > 0);
            dsl.execute("insert into events (at, type, preset_id) select now() - interval '40 days' + g * interval '1 second',"
                    + " 'claim_missed', (select min(id) from presets) from generate_series(1, 25000) g");
            dsl.execute("insert into events (at, type, preset_id) select now() - interval '29 days' + g * interval '1 second',"
                    + " 'claim_missed', (select min(id) from presets) from generate_series(1, 10) g");
        }

        // when: the service starts again (its first pass is followed by a pruning run)
        try (InProcessService second = InProcessService.start(dir, PRESETS, SIMULATED, FLAGS)) {
            DSLContext dsl = dsl(second);

            // then: the old events go; the 29-day-old and the service's own stay
            await().atMost(Duration.ofSeconds(30)).until(() -> count(dsl, "at < now() - interval '30 days'") == 0);
            assertThat(count(dsl, "at < now() - interval '28 days' and at > now() - interval '30 days'")).isEqualTo(10);
            assertThat(count(dsl, "at > now() - interval '1 day'")).isPositive();
        }
    }
}
