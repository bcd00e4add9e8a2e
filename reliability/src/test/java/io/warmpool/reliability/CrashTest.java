package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, crashes: a replica killed with SIGKILL mid-job and mid-pass. The database (a {@link SharedDatabase}
 * in the test JVM) outlives the kill. After the restart nothing is created twice beyond the bound
 * (desired + max-in-flight-creates-per-preset, counted in the database and as the provisioner's real resources),
 * lost jobs are failed as {@code worker_lost} without counting against their preset, failure counters are what
 * the real outcomes made them, and the pools converge.
 */
class CrashTest {

    private static final int IN_FLIGHT_CAP = 2;
    private static SharedDatabase pg;

    @BeforeAll
    static void startDatabase() {
        pg = SharedDatabase.start(Logs.dir("CrashTest-pg"));
    }

    @AfterAll
    static void stopDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void sigkillMidJob_lostJobsAreReapedAsWorkerLostAndCountNothingAgainstTheirPresets() throws Exception {
        Path dir = Logs.dir("CrashTest-midJob");
        SharedDatabase.Database db = pg.create("crash_mid_job");
        ScriptedProvisioner provisioner = new ScriptedProvisioner(dir.resolve("provisioner"));
        // flaky/f: two failures, then a create that hangs (it is running when the replica dies), then one more
        // failure and a success. The slow presets' creates take 30 s until the kill.
        provisioner.plan("flaky", "f", "fail fail hang fail ok");
        for (String p : List.of("a", "b", "c")) {
            provisioner.plan("slow", p, "ok:30");
        }
        Path flakyFile = Fixtures.write(dir.resolve("flaky.yaml"), """
                templates:
                  - name: flaky
                    version: v1
                    presets:
                      - {name: f, parameters: {}, prebuilds: {instances: 1}}
                """);
        String slowFile = """
                templates:
                  - name: slow
                    version: v1
                    presets:
                      - {name: a, parameters: {}, prebuilds: {instances: 3}}
                      - {name: b, parameters: {}, prebuilds: {instances: 3}}
                      - {name: c, parameters: {}, prebuilds: {instances: 3}}
                """;
        Function<String, ServiceProcess> replica = name -> provisioner.configure(ServiceProcess.builder(name, dir)
                        .database(db)
                        .setting("presets", flakyFile.toString())
                        .setting("reconcile-interval", "300ms")
                        .setting("backoff-interval", "500ms")
                        .setting("failure-hard-limit", "5")
                        .setting("job-heartbeat-timeout", "6s")
                        .setting("failed-retention", "1s")
                        .setting("max-in-flight-creates-per-preset", Integer.toString(IN_FLIGHT_CAP))
                        .setting("workers", "4")
                        .setting("command-timeout", "2m"))
                .build();
        ServiceProcess a = replica.apply("replica-a");
        ServiceProcess b = replica.apply("replica-b");
        List<String> resourceViolations = new CopyOnWriteArrayList<>();
        AtomicInteger maxResourcesOverDesired = new AtomicInteger(Integer.MIN_VALUE);
        PoolSampler sampler = null;
        try {
            a.start().awaitReady(Duration.ofMinutes(2));
            // The provisioner's resources (directories) are sampled with the database: orphans of the killed
            // replica plus replacements never exceed desired + the in-flight cap.
            sampler = new PoolSampler(db, Duration.ofMillis(100), 0).onSample(rows -> {
                for (PoolSampler.Row row : rows) {
                    String[] tp = row.preset().split("/");
                    int resources = provisioner.workspaces(tp[0], tp[1]).size();
                    maxResourcesOverDesired.accumulateAndGet(resources - row.desired(), Math::max);
                    if (resources > row.desired() + IN_FLIGHT_CAP) {
                        resourceViolations.add(row.preset() + " had " + resources + " workspaces (desired " + row.desired() + ")");
                    }
                }
            });

            // given: flaky/f has failed twice and its third create hangs; three 30-second creates of the slow
            // presets are running on replica-a's other workers
            await().atMost(Duration.ofMinutes(1)).until(() -> provisioner.calls("flaky", "f").size() >= 3);
            assertThat(failureState(db, "flaky", "f")).containsEntry("k", 2).containsEntry("status", "healthy");
            assertThat(a.post("/api/v1/presets?source=slow.yaml", slowFile, "application/yaml").statusCode()).isEqualTo(200);
            String workersOfA = "%-" + a.pid() + "/w%";
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    db.count("select count(*) from builds where status = 'running' and worker like ?", workersOfA) == 4
                            && slowCalls(provisioner) == 3);
            List<Object> runningAtKill = db.query("select id from builds where status = 'running' order by id")
                    .stream().map(r -> r.get("id")).toList();
            Set<Object> workspacesAtKill = new HashSet<>(db.query("select workspace_id from builds where status = 'running'")
                    .stream().map(r -> r.get("workspace_id")).toList());
            assertThat(runningAtKill).hasSize(4);

            // when: replica-a is killed mid-job; from now on creates are quick
            Instant killedAt = Instant.now();
            assertThat(a.kill()).isEqualTo(137);
            for (String p : List.of("a", "b", "c")) {
                provisioner.plan("slow", p, "ok:1");
            }
            b.start().awaitReady(Duration.ofMinutes(2));

            // then: replica-b fails exactly the four jobs as worker_lost
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    db.count("select count(*) from builds where error_code = 'worker_lost'") == 4);
            Instant reapedAt = Instant.now();
            assertThat(db.query("select id from builds where error_code = 'worker_lost' order by id")
                    .stream().map(r -> r.get("id")).toList()).isEqualTo(runningAtKill);
            assertThat(new HashSet<>(db.query("select workspace_id from events where type = 'worker_lost'")
                    .stream().map(r -> r.get("workspace_id")).toList())).isEqualTo(workspacesAtKill);

            // and replica-a comes back; the pools converge
            a.start().awaitReady(Duration.ofMinutes(2));
            Fixtures.awaitConverged(db, Duration.ofMinutes(3), Duration.ofSeconds(2));
            await().atMost(Duration.ofMinutes(1)).until(() -> resourcesMatchTheDatabase(db, provisioner));
            sampler.sampleOnce();
            sampler.close();

            // flaky/f: five calls (fail, fail, hang = lost, fail, ok); the lost one was not counted: the failure
            // after it was the third (backoff 3 × 500 ms), not the fourth; the success cleared it
            assertThat(provisioner.calls("flaky", "f")).extracting(ScriptedProvisioner.Call::word)
                    .containsExactly("fail", "fail", "hang", "fail", "ok");
            List<Map<String, Object>> backoffs = db.query("""
                    select (e.details->>'failures')::int as failures,
                           extract(epoch from ((e.details->>'until')::timestamptz - e.at)) * 1000 as delay_ms
                      from events e join presets p on p.id = e.preset_id where e.type = 'backoff' and p.name = 'f'
                     order by e.id
                    """);
            assertThat(backoffs).extracting(r -> r.get("failures")).containsExactly(1, 2, 3);
            assertThat(backoffs).extracting(r -> ((Number) r.get("delay_ms")).longValue()).containsExactly(500L, 1000L, 1500L);
            assertThat(failureState(db, "flaky", "f")).containsEntry("k", 0).containsEntry("status", "healthy");
            // the slow presets never failed: their lost jobs left no failure state, no backoff
            assertThat(db.count("""
                    select count(*) from preset_failure_states f join presets p on p.id = f.preset_id
                     where p.name in ('a', 'b', 'c') and f.consecutive_failures > 0
                    """)).isZero();
            assertThat(db.count("select count(*) from events e join presets p on p.id = e.preset_id "
                    + "where e.type = 'backoff' and p.name in ('a', 'b', 'c')")).isZero();
            // every create call of a slow preset is a prebuild running now or a job lost in the kill: none extra
            for (String p : List.of("a", "b", "c")) {
                long lost = db.count("select count(*) from builds b join presets p on p.id = b.preset_id "
                        + "where p.name = ? and b.error_code = 'worker_lost'", p);
                assertThat(provisioner.calls("slow", p)).as("create calls of slow/" + p).hasSize((int) (3 + lost));
            }
            assertThat(sampler.violations()).as("prebuilds alive above desired (database)").isEmpty();
            assertThat(resourceViolations).as("workspaces above desired + in-flight (provisioner)").isEmpty();
            assertThat(Fixtures.workspacesCreatedTwice(db)).isZero();

            String summary = String.format("crash mid-job: killed replica-a with 4 jobs running (1 hanging, 3 of 30 s); "
                            + "replica-b reaped them as worker_lost %.1f s after the kill (heartbeat timeout 6 s, including its "
                            + "start); flaky/f backoffs 500/1000/1500 ms (k 1, 2, 3: the lost job not counted); max database "
                            + "alive - desired = %d, max workspaces - desired = %d (bound %d); %d DB samples",
                    Duration.between(killedAt, reapedAt).toMillis() / 1000.0, sampler.maxOverDesired(),
                    maxResourcesOverDesired.get(), IN_FLIGHT_CAP, sampler.samples());
            System.out.println(summary);
            Files.writeString(dir.resolve("summary.txt"), summary + "\n");
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            a.close();
            b.close();
            provisioner.killOrphans();
        }
    }

    /** The reconciliation lock's key (PostgresReconciliationLock.DEFAULT_KEY) as pg_locks shows it. */
    private static final String RECONCILIATION_LOCK = "locktype = 'advisory' and classid = 2002874989 and objid = 2 and objsubid = 1";

    @Test
    void sigkillMidPass_theLockPassesOnAtOnceAndTheKilledPassWritesNothing() throws Exception {
        Path dir = Logs.dir("CrashTest-midPass");
        SharedDatabase.Database db = pg.create("crash_mid_pass");
        Path first = Fixtures.presets(dir.resolve("presets.yaml"), 2, 5, i -> 2);
        Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), "create_latency: {min: 50ms, max: 200ms}\ndelete_latency: 50ms\n");
        Function<String, ServiceProcess> replica = name -> ServiceProcess.builder(name, dir)
                .database(db)
                .simulated(first, simulated)
                .setting("reconcile-interval", "300ms")
                .setting("job-heartbeat-timeout", "3s")
                .setting("failed-retention", "1s")
                .build();
        ServiceProcess a = replica.apply("replica-a");
        ServiceProcess b = replica.apply("replica-b");
        PoolSampler sampler = null;
        try (SharedDatabase.Session blocker = db.session()) {
            a.start().awaitReady(Duration.ofMinutes(2));
            sampler = new PoolSampler(db, Duration.ofMillis(100), 0);
            Fixtures.awaitConverged(db, Duration.ofMinutes(2), Duration.ofMillis(500));

            // given: ten new presets, and the builds table locked by the test, so that replica-a's next pass stops
            // inside its enqueue transaction (workspaces inserted, builds waiting) while it holds the lock
            assertThat(a.post("/api/v1/reconciliation/pause", "", "application/json").statusCode()).isEqualTo(200);
            // t01 and t02 as before; t03 and t04 are new
            String second = Files.readString(Fixtures.presets(dir.resolve("second.yaml"), 4, 5, i -> 2));
            assertThat(a.post("/api/v1/presets?source=second.yaml", second, "application/yaml").statusCode()).isEqualTo(200);
            blocker.begin().execute("lock table builds in exclusive mode");
            assertThat(a.post("/api/v1/reconciliation/resume", "", "application/json").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofMinutes(1)).until(() -> passBlockedInItsEnqueue(db, "replica-a") && lockHolder(db).equals("replica-a"));

            // when: replica-a is killed mid-pass
            Instant killedAt = Instant.now();
            a.kill();

            // then: the lock is free at once (its session was idle, so PostgreSQL ended it), although the killed
            // pass's write is still waiting in its own session
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> lockHolder(db).isEmpty());
            Duration lockFreedAfter = Duration.between(killedAt, Instant.now());
            assertThat(passBlockedInItsEnqueue(db, "replica-a")).as("the killed pass's write is still pending").isTrue();

            // and replica-b takes the lock. The enqueue is one statement (a CTE inserting workspaces, then builds),
            // so the killed pass is blocked before it writes anything: it holds no transaction id, the fence has
            // nothing to wait for, and the transaction can never commit (its client is gone; it is in a transaction
            // block). Either way the count of workspaces below must be exact.
            b.start().awaitReady(Duration.ofMinutes(2));
            await().atMost(Duration.ofMinutes(1)).until(() -> lockHolder(db).equals("replica-b")
                    && (fenceWaiting(db, "replica-b") || !killedPassHoldsAnXid(db, "replica-a")));
            blocker.rollback();

            // that transaction can never commit (its client is gone): it ends rolled back, and replica-b goes on
            await().atMost(Duration.ofMinutes(1)).until(() -> db.count(
                    "select count(*) from pg_stat_activity where datname = current_database() and application_name = 'replica-a'") == 0);
            a.start().awaitReady(Duration.ofMinutes(2));
            Fixtures.awaitConverged(db, Duration.ofMinutes(2), Duration.ofSeconds(1));
            sampler.sampleOnce();
            sampler.close();

            long newWorkspaces = newPresetsWorkspaces(db);
            assertThat(newWorkspaces).as("workspaces ever made for the 10 new presets (2 each)").isEqualTo(20);
            assertThat(Fixtures.workspacesCreatedTwice(db)).isZero();
            assertThat(sampler.violations()).isEmpty();
            PassLog passes = PassLog.of(List.of(a, b));
            assertThat(passes.overlaps()).isEmpty();

            String summary = String.format("crash mid-pass: replica-a killed inside its enqueue transaction while holding the "
                            + "lock; the lock was free %d ms after the kill (the killed pass's write still pending), "
                            + "replica-b took it and waited for that write to end; 20 workspaces for 10 new presets (none "
                            + "twice); %d passes, 0 overlaps",
                    lockFreedAfter.toMillis(), passes.passes().size());
            System.out.println(summary);
            Files.writeString(dir.resolve("summary.txt"), summary + "\n");
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            a.close();
            b.close();
        }
    }

    @Test
    void sigkillWhileAPassCommits_theNextHolderWaitsForThatCommitAndCreatesNothingTwice() throws Exception {
        Path dir = Logs.dir("CrashTest-midCommit");
        SharedDatabase.Database db = pg.create("crash_mid_commit");
        // Commits of this database wait for a synchronous standby while synchronous_standby_names names one that
        // does not exist: a way to hold a pass's COMMIT in flight for as long as the test wants (a slow disk or a
        // lagging synchronous standby does the same for milliseconds or seconds).
        db.execute("alter database crash_mid_commit set synchronous_commit = on");
        Path first = Fixtures.presets(dir.resolve("presets.yaml"), 2, 5, i -> 2);
        Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), "create_latency: {min: 50ms, max: 200ms}\ndelete_latency: 50ms\n");
        Function<String, ServiceProcess.Builder> replica = name -> ServiceProcess.builder(name, dir)
                .database(db)
                .setting("provisioner", "simulated")
                .setting("simulated-config", simulated.toString())
                .setting("reconcile-interval", "300ms")
                .setting("max-in-flight-creates-per-preset", Integer.toString(IN_FLIGHT_CAP))
                .setting("job-heartbeat-timeout", "6s")
                .setting("failed-retention", "1s");
        ServiceProcess a = replica.apply("replica-a").setting("presets", first.toString()).build();
        // replica-b applies no presets file at start: applying writes, and its commit would wait too
        ServiceProcess b = replica.apply("replica-b").build();
        PoolSampler sampler = null;
        try (SharedDatabase.Session admin = db.session()) {
            admin.execute("set synchronous_commit = local");
            a.start().awaitReady(Duration.ofMinutes(2));
            sampler = new PoolSampler(db, Duration.ofMillis(100), 0);
            Fixtures.awaitConverged(db, Duration.ofMinutes(2), Duration.ofMillis(500));

            // given: ten new presets (2 prebuilds each) while paused, then commits held, then resumed: replica-a's
            // next pass enqueues their creates and waits in its COMMIT, holding the lock
            assertThat(a.post("/api/v1/reconciliation/pause", "", "application/json").statusCode()).isEqualTo(200);
            String second = Files.readString(Fixtures.presets(dir.resolve("second.yaml"), 4, 5, i -> 2));
            assertThat(a.post("/api/v1/presets?source=second.yaml", second, "application/yaml").statusCode()).isEqualTo(200);
            admin.execute("alter system set synchronous_standby_names = 'no_such_standby'").execute("select pg_reload_conf()");
            admin.execute("update settings set value = 'false' where key = 'paused'");
            await().atMost(Duration.ofMinutes(1)).until(() -> commitWaiting(db, "replica-a") && lockHolder(db).equals("replica-a"));

            // when: replica-a is killed with its COMMIT in flight, and replica-b starts
            a.kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> lockHolder(db).isEmpty());
            assertThat(commitWaiting(db, "replica-a")).as("the killed pass's commit is still in flight").isTrue();
            b.start().awaitReady(Duration.ofMinutes(2));
            // replica-b takes the lock and waits for the commit in flight before it reads its snapshot
            await().atMost(Duration.ofMinutes(1)).until(() -> lockHolder(db).equals("replica-b") && fenceWaiting(db, "replica-b"));
            admin.execute("alter system reset synchronous_standby_names").execute("select pg_reload_conf()");

            // then: the killed pass's creates land, replica-b sees them and creates nothing more
            a.start().awaitReady(Duration.ofMinutes(2));
            Fixtures.awaitConverged(db, Duration.ofMinutes(2), Duration.ofSeconds(1));
            sampler.sampleOnce();
            sampler.close();
            long made = newPresetsWorkspaces(db);
            assertThat(made).as("workspaces made for the 10 new presets (2 each)").isEqualTo(20);
            assertThat(sampler.violations()).as("prebuilds alive above desired").isEmpty();
            assertThat(Fixtures.workspacesCreatedTwice(db)).isZero();
            assertThat(PassLog.of(List.of(a, b)).overlaps()).isEmpty();

            String summary = String.format("crash mid-commit: replica-a killed while the COMMIT of its pass's 20 creates waited; "
                            + "replica-b took the lock and waited for that commit before reading: %d workspaces made for 20 "
                            + "wanted, max alive - desired = %d, pools converged", made, sampler.maxOverDesired());
            System.out.println(summary);
            Files.writeString(dir.resolve("summary.txt"), summary + "\n");
        } finally {
            // ALTER SYSTEM is server-wide: the other tests on this server must not wait for the standby
            try (SharedDatabase.Session s = db.session()) {
                s.execute("alter system reset synchronous_standby_names").execute("select pg_reload_conf()");
            }
            if (sampler != null) {
                sampler.close();
            }
            a.close();
            b.close();
        }
    }

    /** Whether the lock session of {@code replica} waits for earlier writers (PostgresReconciliationLock's fence). */
    static boolean killedPassHoldsAnXid(SharedDatabase.Database db, String replica) {
        return db.count("select count(*) from pg_stat_activity where datname = current_database() "
                + "and application_name = ? and backend_xid is not null", replica) > 0;
    }

    static boolean fenceWaiting(SharedDatabase.Database db, String replica) {
        return db.count("select count(*) from pg_stat_activity where datname = current_database() "
                + "and application_name = ? and state = 'active' and query like '%$fence$%'", replica) > 0;
    }

    /** Whether a session of {@code replica} waits in COMMIT for a synchronous standby. */
    static boolean commitWaiting(SharedDatabase.Database db, String replica) {
        return db.count("select count(*) from pg_stat_activity where datname = current_database() "
                + "and application_name = ? and wait_event = 'SyncRep'", replica) > 0;
    }

    /** The replica (ApplicationName) whose session holds the reconciliation lock, or "" when none does. */
    static String lockHolder(SharedDatabase.Database db) {
        Object holder = db.value("select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                + "where l.granted and l.database = (select oid from pg_database where datname = current_database()) and "
                + RECONCILIATION_LOCK);
        return holder == null ? "" : (String) holder;
    }

    /** Whether a session of {@code replica} is waiting for a lock in the middle of inserting a pass's builds. */
    static boolean passBlockedInItsEnqueue(SharedDatabase.Database db, String replica) {
        return db.count("""
                select count(*) from pg_stat_activity where datname = current_database() and application_name = ?
                   and wait_event_type = 'Lock' and query ilike '%insert into%builds%'
                """, replica) > 0;
    }

    @Test
    void sigkillAtRandomMoments_boundsHoldNothingIsCountedAgainstPresetsAndPoolsConverge() throws Exception {
        Path dir = Logs.dir("CrashTest-randomKills");
        SharedDatabase.Database db = pg.create("crash_random_kills");
        // 30 presets of 2 or 3 prebuilds; creates take 0.3 to 2 s, so that jobs are in flight at every kill
        Path presets = Fixtures.presets(dir.resolve("presets.yaml"), 6, 5, i -> 2 + i % 2);
        Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), "create_latency: {min: 300ms, max: 2s}\ndelete_latency: 100ms\n");
        List<ServiceProcess> replicas = new ArrayList<>();
        for (String name : List.of("replica-a", "replica-b", "replica-c")) {
            replicas.add(ServiceProcess.builder(name, dir)
                    .database(db)
                    .simulated(presets, simulated)
                    .setting("seed", Integer.toString(replicas.size() + 11))
                    .setting("reconcile-interval", "200ms")
                    // long enough that a replica starved of CPU (three JVMs starting on two cores) keeps its jobs
                    .setting("job-heartbeat-timeout", "10s")
                    .setting("failed-retention", "1s")
                    .setting("max-in-flight-creates-per-preset", Integer.toString(IN_FLIGHT_CAP))
                    .build());
        }
        PoolSampler sampler = null;
        try {
            for (ServiceProcess r : replicas) {
                r.start();
            }
            for (ServiceProcess r : replicas) {
                r.awaitReady(Duration.ofMinutes(2));
            }
            // The bound of SPEC §7: a kill may let creates be planned again, never more than the in-flight cap.
            sampler = new PoolSampler(db, Duration.ofMillis(50), IN_FLIGHT_CAP);

            // when: claims and releases keep creates and deletes going (through whichever replica answers), and
            // five times a seeded random replica is killed after a seeded random 0.5-3 s, and restarted
            AtomicInteger claims = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean claiming = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread claimer = new Thread(() -> {
                Random r = new Random(21);
                java.util.ArrayDeque<String> held = new java.util.ArrayDeque<>();
                while (claiming.get()) {
                    ServiceProcess via = replicas.get(r.nextInt(replicas.size()));
                    int preset = r.nextInt(30);
                    try {
                        var res = via.post(String.format("/api/v1/presets/t%02d/p%d/claims", preset / 5 + 1, preset % 5 + 1),
                                "{\"owner\":\"chaos\"}", "application/json");
                        if (res.statusCode() == 201) {
                            claims.incrementAndGet();
                            held.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(res.body()).get("id").asText());
                        }
                        if (held.size() > 5) {
                            via.delete("/api/v1/workspaces/" + held.peek());
                            held.poll();
                        }
                    } catch (Exception e) {
                        // the replica is down or restarting: another one takes the next claim
                    }
                    ServiceProcess.sleep(100);
                }
            }, "claimer");
            claimer.start();
            Random random = new Random(20);
            List<String> kills = new ArrayList<>();
            List<String> killedWorkers = new ArrayList<>();
            long jobsRunningAtKills = 0;
            for (int i = 0; i < 5; i++) {
                Thread.sleep(500 + random.nextInt(2500));
                ServiceProcess victim = replicas.get(random.nextInt(replicas.size()));
                String workers = "%-" + victim.pid() + "/w%";
                victim.kill();
                kills.add(victim.name());
                killedWorkers.add(workers);
                // its jobs: still running, or already reaped if a heartbeat was late
                jobsRunningAtKills += db.count("select count(*) from builds where worker like ? "
                        + "and (status = 'running' or error_code = 'worker_lost')", workers);
                victim.start().awaitReady(Duration.ofMinutes(2));
            }
            claiming.set(false);
            claimer.join();

            // then
            Fixtures.awaitConverged(db, Duration.ofMinutes(3), Duration.ofSeconds(2));
            sampler.sampleOnce();
            sampler.close();
            for (ServiceProcess r : replicas) {
                r.stop(Duration.ofMinutes(1));
            }
            long lost = db.count("select count(*) from builds where error_code = 'worker_lost'");
            assertThat(sampler.violations()).as("prebuilds alive above desired + in-flight cap").isEmpty();
            assertThat(db.count("select count(*) from events where type = 'worker_lost'")).isEqualTo(lost);
            assertThat(lost).as("jobs lost: exactly those the killed replicas were running").isEqualTo(jobsRunningAtKills)
                    .isPositive();
            assertThat(db.count("select count(*) from builds where error_code = 'worker_lost' and not (worker like any (?))",
                    (Object) killedWorkers.toArray(String[]::new))).as("jobs of live replicas reaped as lost").isZero();
            assertThat(db.count("select count(*) from preset_failure_states where consecutive_failures > 0"))
                    .as("presets with failures counted (the provisioner never failed)").isZero();
            assertThat(db.count("select count(*) from events where type in ('backoff', 'create_failed', 'hard_limited')"))
                    .isZero();
            assertThat(Fixtures.workspacesCreatedTwice(db)).isZero();
            PassLog passes = PassLog.of(replicas);
            assertThat(passes.overlaps()).isEmpty();
            for (ServiceProcess r : replicas) {
                // a preset whose part of a pass failed (for example ids repeated by a restarted replica)
                assertThat(r.stderr()).as(r.name() + " log").doesNotContainPattern(" WARN  reconcile  preset \\S+: ");
            }

            String summary = String.format("random kills: 3 replicas, 30 presets; killed %s; %d jobs were running on the killed "
                            + "replicas, %d reaped as worker_lost, 0 counted as failures; max alive - desired = %d (bound %d); "
                            + "%d passes, 0 overlaps; %d claims meanwhile; %d DB samples",
                    kills, jobsRunningAtKills, lost, sampler.maxOverDesired(), IN_FLIGHT_CAP, passes.passes().size(), claims.get(), sampler.samples());
            System.out.println(summary);
            Files.writeString(dir.resolve("summary.txt"), summary + "\n");
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            replicas.forEach(ServiceProcess::close);
        }
    }

    private static long slowCalls(ScriptedProvisioner provisioner) {
        return provisioner.calls("slow", "a").size() + provisioner.calls("slow", "b").size()
                + provisioner.calls("slow", "c").size();
    }

    /** Every preset's workspace directories are exactly its running prebuilds (no leaked resource). */
    static boolean resourcesMatchTheDatabase(SharedDatabase.Database db, ScriptedProvisioner provisioner) {
        for (Map<String, Object> p : db.query("""
                select t.name as template, p.name as preset,
                       coalesce((select string_agg(w.id::text, ',') from workspaces w where w.preset_id = p.id
                         and w.owner = 'prebuilds' and w.phase = 'running'), '') as ids
                  from presets p join template_versions v on v.id = p.version_id join templates t on t.id = v.template_id
                """)) {
            String ids = (String) p.get("ids");
            Set<String> running = ids.isEmpty() ? Set.of() : Set.of(ids.split(","));
            if (!provisioner.workspaces((String) p.get("template"), (String) p.get("preset")).equals(running)) {
                return false;
            }
        }
        return true;
    }

    /** The stored failure state of a preset: k, status, lastFailureAt, retryNotBefore (k 0 when there is no row). */
    static Map<String, Object> failureState(SharedDatabase.Database db, String template, String preset) {
        List<Map<String, Object>> rows = db.query("""
                select coalesce(f.consecutive_failures, 0) as k, coalesce(f.status::text, 'healthy') as status,
                       f.last_failure_at, f.retry_not_before
                  from presets p join template_versions v on v.id = p.version_id and v.active
                  join templates t on t.id = v.template_id
                  left join preset_failure_states f on f.preset_id = p.id
                 where t.name = ? and p.name = ?
                """, template, preset);
        assertThat(rows).as("preset " + template + "/" + preset).hasSize(1);
        Map<String, Object> r = new java.util.LinkedHashMap<>(rows.get(0));
        r.put("k", ((Number) r.get("k")).intValue());
        return r;
    }

    /** A {@code timestamptz} read through plain JDBC ({@code getObject} gives a {@link java.sql.Timestamp}). */
    static Instant instant(Object timestamptz) {
        if (timestamptz instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        return ((java.sql.Timestamp) timestamptz).toInstant();
    }

    /** Every workspace ever made for the presets of templates t03 and t04 (the ones added mid-test). */
    private static long newPresetsWorkspaces(SharedDatabase.Database db) {
        return db.count("""
                select count(*) from workspaces w join presets p on p.id = w.preset_id
                  join template_versions v on v.id = p.version_id join templates t on t.id = v.template_id
                 where t.name in ('t03', 't04')
                """);
    }
}
