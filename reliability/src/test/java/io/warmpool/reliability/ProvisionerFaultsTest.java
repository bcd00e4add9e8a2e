package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, provisioner faults: the {@code http} provisioner against a local webhook that fails 30 % of requests
 * transiently (503), lets 5 % hang past the 30 s the test gives a create or delete ({@code --create-timeout},
 * {@code --delete-timeout}: the whole transition, retries included), and goes down for 60 s (every
 * request 503) while claims create demand. From the build history and the event log: no create of a preset was
 * enqueued before the retryNotBefore of its last failure; the circuit breaker opened during the outage (jobs
 * released as unavailable); no preset was ever hard-limited; the pools converge after the outage.
 */
class ProvisionerFaultsTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF = Duration.ofSeconds(2);
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    @Test
    void transientFailuresHangsAndAnOutage_noEarlyRetryNoHardLimitPoolsConverge() throws Exception {
        Path dir = Logs.dir("ProvisionerFaultsTest");
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"));
             FaultyProvisionerServer webhook = new FaultyProvisionerServer(20261127L, 0.30, 0.05, Duration.ofSeconds(35))) {
            SharedDatabase.Database db = pg.create("faults");
            Path presets = Fixtures.presets(dir.resolve("presets.yaml"), 2, 4, i -> 2);
            try (ServiceProcess service = ServiceProcess.builder("replica", dir)
                    .database(db)
                    .setting("presets", presets.toString())
                    .setting("provisioner", "http")
                    .setting("http-provisioner-url", webhook.url())
                    .setting("create-timeout", "30s")
                    .setting("delete-timeout", "30s")
                    .env("WARMPOOL_HTTP_PROVISIONER_SECRET", "reliability-hmac-secret-0123456789")
                    .setting("seed", "11")
                    .setting("reconcile-interval", INTERVAL.toMillis() + "ms")
                    .setting("backoff-policy", "linear")
                    .setting("backoff-interval", BACKOFF.toMillis() + "ms")
                    .setting("failure-hard-limit", "5")
                    .setting("failed-retention", "1s")
                    .start()) {
                service.awaitReady(Duration.ofMinutes(2));
                // given: the pools filled through the faults
                Fixtures.awaitConverged(db, Duration.ofMinutes(5), INTERVAL.multipliedBy(2));
                // and refilled twice more after every prebuild was claimed, for more creates through the faults
                int churned = 0;
                for (int round = 0; round < 2; round++) {
                    churned += claimAll(service, "churn-client", 2);
                    Fixtures.awaitConverged(db, Duration.ofMinutes(5), INTERVAL.multipliedBy(2));
                }
                Map<String, Long> beforeOutage = webhook.counts();

                // when: the webhook goes down for 60 s while claims ask for replacements
                webhook.outage(true);
                Instant outageStart = Instant.now();
                int claimed = claimAll(service, "faults-client", 1);
                ServiceProcess.sleep(OUTAGE.toMillis());
                webhook.outage(false);
                Instant outageEnd = Instant.now();
                long releasedAsUnavailable = db.count("""
                        select count(*) from events where type = 'job_released' and details->>'reason' like '%circuit%'
                           and at between ? and ?
                        """, java.sql.Timestamp.from(outageStart), java.sql.Timestamp.from(outageEnd));
                assertThat(releasedAsUnavailable).as("jobs released because the circuit was open during the outage")
                        .isPositive();

                // then: the pools converge after the outage
                Fixtures.awaitConverged(db, Duration.ofMinutes(5), INTERVAL.multipliedBy(2));
                Instant converged = Instant.now();

                // no preset was ever hard-limited
                assertThat(db.count("select count(*) from events where type = 'hard_limited'")).isZero();
                assertThat(db.count("select count(*) from preset_failure_states where status <> 'healthy'")).isZero();
                long backoffs = db.count("select count(*) from events where type = 'backoff'");
                long failedCreates = db.count("select count(*) from events where type = 'create_failed'");
                long maxFailures = db.count("""
                        select coalesce(max((details->>'failures')::int), 0) from events where type = 'backoff'
                        """);

                // no create of a preset enqueued before the retryNotBefore its last failure stored
                List<String> early = new ArrayList<>();
                long checked = 0;
                for (Map<String, Object> preset : db.query("select id from presets")) {
                    long id = ((Number) preset.get("id")).longValue();
                    List<Map<String, Object>> timeline = db.query("""
                            select at, type, details->>'until' as until from events
                             where preset_id = ? and type in ('backoff', 'create_succeeded', 'preset_resumed')
                            union all
                            select created_at, 'create_enqueued', null from builds where preset_id = ? and transition = 'create'
                             order by 1
                            """, id, id);
                    Instant notBefore = null;
                    for (Map<String, Object> row : timeline) {
                        Instant at = CrashTest.instant(row.get("at"));
                        switch ((String) row.get("type")) {
                            case "backoff" -> notBefore = Instant.parse((String) row.get("until"));
                            case "create_succeeded", "preset_resumed" -> notBefore = null;
                            default -> {
                                checked++;
                                if (notBefore != null && at.isBefore(notBefore)) {
                                    early.add("preset " + id + ": create enqueued at " + at + " before " + notBefore);
                                }
                            }
                        }
                    }
                }
                assertThat(early).as("creates before their preset's retryNotBefore").isEmpty();
                assertThat(webhook.counts()).doesNotContainKey("unsigned");

                String summary = String.format("provisioner faults: %d prebuilds claimed and refilled before the outage; "
                                + "requests before the outage %s, in total %s; %d failed creates, %d backoffs; %d claims at "
                                + "the outage start; %d jobs released as unavailable (circuit open) during the 60 s outage; "
                                + "0 hard_limited, highest consecutive failures %d (limit 5); %d creates checked against "
                                + "retryNotBefore, 0 early; converged %d s after the outage ended",
                        churned, beforeOutage, webhook.counts(), failedCreates, backoffs, claimed, releasedAsUnavailable, maxFailures, checked,
                        Duration.between(outageEnd, converged).toSeconds());
                System.out.println(summary);
                Files.writeString(dir.resolve("summary.txt"), summary + "\n");
            }
        }
    }

    /** Claims {@code perPreset} prebuilds of each of the 8 presets; every claim must succeed (the pools are full). */
    private static int claimAll(ServiceProcess service, String owner, int perPreset) {
        int claimed = 0;
        for (int t = 1; t <= 2; t++) {
            for (int p = 1; p <= 4; p++) {
                for (int i = 0; i < perPreset; i++) {
                    var r = service.post(String.format("/api/v1/presets/t%02d/p%d/claims", t, p),
                            "{\"owner\":\"" + owner + "\"}", "application/json");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                    claimed++;
                }
            }
        }
        return claimed;
    }
}
