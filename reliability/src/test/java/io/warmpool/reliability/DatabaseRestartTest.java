package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, database restart under load: while four client threads claim through the REST API and passes run, the
 * shared PostgreSQL is stopped and started again (same data directory, same port). The service, never restarted,
 * is ready again and runs passes within two reconcile intervals of the database's return (bounds here are generous
 * for a loaded machine; the figures seen are printed); every client call got 201 with an id, 409 (pool empty) or
 * a retryable 503 with a JSON error; every id returned 201 is claimed in the database by that client, no id twice,
 * and no claim exists in the database that no client was told about.
 */
class DatabaseRestartTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Call(String owner, int status, String body, String failure) {
    }

    @Test
    void postgresRestartsUnderClaimsAndPasses_theServiceRecoversAndNoClaimIsLostOrDoubled() throws Exception {
        Path dir = Logs.dir("DatabaseRestartTest");
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("restart");
            Path presets = Fixtures.presets(dir.resolve("presets.yaml"), 2, 3, i -> 4);
            Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), """
                    create_latency: 100ms
                    delete_latency: 50ms
                    """);
            try (ServiceProcess service = ServiceProcess.builder("replica", dir)
                    .database(db)
                    .simulated(presets, simulated)
                    .setting("seed", "8")
                    .setting("reconcile-interval", INTERVAL.toMillis() + "ms")
                    .setting("failed-retention", "1s")
                    .start()) {
                service.awaitReady(Duration.ofMinutes(2));
                Fixtures.awaitConverged(db, Duration.ofMinutes(3), INTERVAL);

                // given: four clients claiming in a loop
                List<Call> calls = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    String owner = "client-" + c;
                    Random random = new Random(100 + c);
                    Thread t = new Thread(() -> {
                        while (running.get()) {
                            String preset = String.format("t%02d/p%d", 1 + random.nextInt(2), 1 + random.nextInt(3));
                            try {
                                HttpResponse<String> r = service.post("/api/v1/presets/" + preset + "/claims",
                                        "{\"owner\":\"" + owner + "\"}", "application/json");
                                calls.add(new Call(owner, r.statusCode(), r.body(), null));
                            } catch (RuntimeException e) {
                                calls.add(new Call(owner, -1, null, e.toString()));
                            }
                            ServiceProcess.sleep(300);
                        }
                    }, owner);
                    t.start();
                    clients.add(t);
                }
                ServiceProcess.sleep(5_000);

                // when: the database goes away for ten seconds and comes back
                int callsBefore = calls.size();
                pg.stop();
                ServiceProcess.sleep(10_000);
                int readyWhileDown = service.get("/readyz").statusCode();
                int callsWhileDown = calls.size() - callsBefore;
                pg.start();
                Instant back = Instant.now();

                // then: ready again and passes resume, without a restart of the service
                Duration bound = INTERVAL.multipliedBy(2).plus(Duration.ofSeconds(60)); // two intervals + a loaded machine
                await().atMost(bound).pollInterval(Duration.ofMillis(100))
                        .until(() -> service.get("/readyz").statusCode() == 200);
                Duration readyAfter = Duration.between(back, Instant.now());
                await().atMost(bound).pollInterval(Duration.ofMillis(250))
                        .until(() -> PassLog.of(List.of(service)).passes().stream().anyMatch(p -> p.start().isAfter(back)));
                Instant firstPass = PassLog.of(List.of(service)).passes().stream().map(PassLog.Pass::start)
                        .filter(s -> s.isAfter(back)).min(Instant::compareTo).orElseThrow();
                Duration passAfter = Duration.between(back, firstPass);
                assertThat(service.alive()).isTrue();
                assertThat(service.starts()).isEqualTo(1);
                ServiceProcess.sleep(5_000);
                running.set(false);
                for (Thread t : clients) {
                    t.join(Duration.ofMinutes(1).toMillis());
                }

                // every call: 201 with an id, 409 (pool empty) or 503, each with a JSON body
                Set<String> ids = new HashSet<>();
                int created = 0;
                int empty = 0;
                int unavailable = 0;
                for (Call call : calls) {
                    assertThat(call.failure()).as("a call failed without an HTTP answer: %s", call).isNull();
                    assertThat(call.status()).as("status of %s", call).isIn(201, 409, 503);
                    JsonNode body = JSON.readTree(call.body());
                    if (call.status() == 201) {
                        created++;
                        String id = body.get("id").asText();
                        assertThat(ids.add(id)).as("id %s handed out twice", id).isTrue();
                        assertThat(body.get("owner").asText()).isEqualTo(call.owner());
                        List<Map<String, Object>> rows = db.query(
                                "select owner, claimed_at from workspaces where id = ?::uuid", id);
                        assertThat(rows).as("workspace %s", id).hasSize(1);
                        assertThat(rows.get(0).get("owner")).isEqualTo(call.owner());
                        assertThat(rows.get(0).get("claimed_at")).isNotNull();
                    } else {
                        assertThat(body.has("error")).as("JSON error of %s", call).isTrue();
                        if (call.status() == 503) {
                            unavailable++;
                        } else {
                            empty++;
                        }
                    }
                }
                // no claim the clients were not told about (a claim committed while its caller got an error)
                long claimedInDb = db.count("select count(*) from workspaces where owner like 'client-%'");
                assertThat(claimedInDb).as("claims in the database vs 201 answers").isEqualTo(created);
                assertThat(unavailable).as("503 answers while the database was down").isPositive();

                // and the pools refill
                Fixtures.awaitConverged(db, Duration.ofMinutes(3), INTERVAL);

                String summary = String.format("database restart: %d calls (%d while down 10 s): %d x 201, %d x 409, %d x 503, "
                                + "0 other; %d ids, each claimed once by its caller; /readyz 200 %d ms and first pass %d ms "
                                + "after PostgreSQL was back (interval %d ms); /readyz while down: %d",
                        calls.size(), callsWhileDown, created, empty, unavailable, ids.size(), readyAfter.toMillis(),
                        passAfter.toMillis(), INTERVAL.toMillis(), readyWhileDown);
                System.out.println(summary);
                Files.writeString(dir.resolve("summary.txt"), summary + "\n");
            }
        }
    }
}
