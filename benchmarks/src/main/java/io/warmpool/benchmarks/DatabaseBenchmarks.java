package io.warmpool.benchmarks;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.db.PostgresModule;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.service.TimeOrderedIds;
import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import io.warmpool.bootstrap.Composition;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.CreateOutcome;
import io.warmpool.domain.backoff.FailurePolicy;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteListenerProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database benchmarks of SPEC §6 against one embedded PostgreSQL 17: each runs our adapter and then its raw
 * baseline (pgbench with a custom script, or PgJDBC's COPY) on the same server, and adds ours / baseline to the table.
 * Rows are seeded with plain SQL; the tables are emptied between benchmarks.
 */
final class DatabaseBenchmarks {

    private static final String EMPTY = "truncate events, builds, workspaces, preset_failure_states,"
            + " preset_schedule_windows, presets, template_versions, templates, demand_hours, demand_minutes"
            + " restart identity cascade";

    /** Unmeasured load before claims and workers are timed, so that the JIT has compiled jOOQ and the adapters. */
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    private final PostgresDatabase db;
    private final Injector adapters;
    private final Pgbench pgbench;
    private final boolean quick;
    private final ResultTable table;
    private final AtomicLong queries = new AtomicLong();

    /** The login of the benchmark database (set once its server is up). */
    private static String user;
    private static String password;

    private DatabaseBenchmarks(PostgresDatabase db, Pgbench pgbench, boolean quick, ResultTable table) {
        this.db = db;
        // Counts every statement jOOQ executes (the snapshot's query count); keeps listeners already configured.
        ExecuteListenerProvider[] existing = db.dsl().configuration().executeListenerProviders();
        ExecuteListenerProvider[] providers = Arrays.copyOf(existing, existing.length + 1);
        providers[existing.length] = new DefaultExecuteListenerProvider(new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                queries.incrementAndGet();
            }
        });
        db.dsl().configuration().set(providers);
        this.adapters = adapters(db);
        this.pgbench = pgbench;
        this.quick = quick;
        this.table = table;
    }

    /** The service's database adapters ({@link PostgresModule}) over {@code db}. */
    private static Injector adapters(PostgresDatabase db) {
        return Guice.createInjector(Stage.DEVELOPMENT, new PostgresModule(), binder -> {
            binder.bind(PostgresDatabase.class).toInstance(db);
            binder.bind(Clock.class).toInstance(Clock.systemUTC());
        });
    }

    static void run(Set<String> which, boolean quick, ResultTable table) throws Exception {
        Pgbench.binary(); // fail before starting anything when pgbench is missing
        Path dir = Files.createTempDirectory("warmpool-bench-db");
        try (PostgresDatabase db = PostgresDatabase.embedded(dir, 40, io.warmpool.adapters.db.embedded.EmbeddedPostgresServer.Options.THROWAWAY)) {
            db.start();
            String url;
            try (Connection c = db.openDedicatedConnection()) {
                url = c.getMetaData().getURL();
            }
            // The embedded server takes password logins only: the application role's, as an operator would read it.
            user = io.warmpool.adapters.db.embedded.EmbeddedPostgresServer.APP_ROLE;
            password = Files.readString(dir.resolve(io.warmpool.adapters.db.embedded.EmbeddedPostgresServer.APP_PASSWORD_FILE)).trim();
            DatabaseBenchmarks b = new DatabaseBenchmarks(db, Pgbench.forJdbcUrl(url, user, password), quick, table);
            for (String name : which) {
                log("== " + name);
                try {
                    switch (name) {
                        case "snapshot" -> {
                            long small = b.snapshot(1_000, Kind.INFO);
                            long large = b.snapshot(10_000, Kind.RATIO_AT_MOST);
                            // SPEC §6: "query count constant in the number of presets"
                            table.add(new Row("snapshot load, queries per load at 10,000 presets minus at 1,000",
                                    Kind.AT_MOST, 0, large - small, Double.NaN, "queries"));
                            // R13: every preset with autoscale costs three queries in all, not three per preset
                            long autoscaled = b.snapshot(10_000, Kind.INFO, true);
                            table.add(new Row("snapshot load, queries per load at 10,000 presets with autoscale minus without",
                                    Kind.AT_MOST, 3, autoscaled - large, Double.NaN, "queries"));
                        }
                        case "enqueue" -> b.enqueue();
                        case "claims" -> b.claims();
                        case "rest" -> b.restClaims();
                        case "workers" -> b.workers();
                        default -> throw new IllegalArgumentException(name);
                    }
                } catch (Exception e) {
                    log(name + " FAILED: " + e);
                    e.printStackTrace();
                    table.add(new Row(name + " — FAILED: " + e.getClass().getSimpleName(), Kind.AT_LEAST, 1,
                            Double.NaN, Double.NaN, ""));
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- seeding

    private void sql(String... statements) throws SQLException {
        try (Connection c = db.openDedicatedConnection(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** {@code templates × 10} presets t-i/p-j (row ids 1 … n in template order), active, no TTL. */
    private void seedPresets(int templates) throws SQLException {
        sql(EMPTY,
                "insert into templates (name, created_at, updated_at) select 't-' || i, now(), now()"
                        + " from generate_series(1, " + templates + ") i",
                "insert into template_versions (template_id, name, active, created_at)"
                        + " select id, 'v1', true, now() from templates order by id",
                "insert into presets (version_id, name, instances, created_at, updated_at)"
                        + " select v.id, 'p-' || j, 10, now(), now() from template_versions v, generate_series(0, 9) j"
                        + " order by v.id, j");
    }

    /** {@code perPreset} running prebuilds of every preset, created over the last hour. */
    private void seedRunning(int perPreset) throws SQLException {
        sql("insert into workspaces (id, preset_id, owner, name, phase, created_at, ready_at)"
                        + " select gen_random_uuid(), p.id, 'prebuilds', 'pb-' || p.id || '-' || k, 'running',"
                        + " now() - interval '1 hour' + k * interval '1 millisecond', now()"
                        + " from presets p, generate_series(1, " + perPreset + ") k",
                "vacuum analyze workspaces");
    }

    static PresetId presetId(long rowId) {
        long t = (rowId - 1) / 10 + 1;
        long j = (rowId - 1) % 10;
        return new PresetId("t-" + t, "v1", "p-" + j);
    }

    // ---------------------------------------------------------------- enqueue

    private void enqueue() throws Exception {
        int seconds = quick ? 4 : 10;
        int batch = 10_000;
        seedPresets(100);
        BuildQueuePort queue = adapters.getInstance(BuildQueuePort.class);
        SplittableRandom random = new SplittableRandom(1);
        // Workspace ids as the service makes them (time-ordered, from the clock and a seeded generator).
        IdGeneratorPort ids = new TimeOrderedIds(Clock.systemUTC(), new SplittableRandom(2));
        // one warm-up batch
        queue.enqueueCreates(creates(batch, ids, random), Instant.now());
        long creates = 0;
        long elapsed = 0;
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<CreateRequest> requests = creates(batch, ids, random);
            long t0 = System.nanoTime();
            queue.enqueueCreates(requests, Instant.now());
            elapsed += System.nanoTime() - t0;
            creates += batch;
        }
        double ours = creates / (elapsed / 1e9);
        log(String.format(Locale.ROOT, "ours: %,d creates (%,d table rows) in %.2f s (batches of %,d, one thread)",
                creates, 2 * creates, elapsed / 1e9, batch));

        // Baseline: a plain 100-row INSERT … VALUES into a table shaped like workspaces, with its indexes, 4 clients.
        sql("drop table if exists bench_workspaces",
                "create table bench_workspaces (like workspaces including defaults including constraints including indexes)");
        StringBuilder script = new StringBuilder("insert into bench_workspaces (id, preset_id, owner, name, phase, created_at) values ");
        for (int i = 0; i < 100; i++) {
            script.append(i == 0 ? "" : ", ").append("(gen_random_uuid(), ").append(1 + i % 1000)
                    .append(", 'prebuilds', 'pb-").append(i).append("', 'starting', now())");
        }
        script.append(";\n");
        Pgbench.Result base = pgbench.run(script.toString(), 4, seconds);
        double baseline = base.tps() * 100;
        log(String.format(Locale.ROOT, "baseline: %.0f 100-row INSERT tx/s at 4 clients", base.tps()));
        sql("drop table bench_workspaces");
        // SPEC §6 counts the enqueue in rows: a create writes two (its workspace and its pending build), which is
        // how ≈ 400k rows/s × 0.25 comes to its "≥ 50,000 creates/s". The creates/s-against-rows/s figure of
        // earlier runs is kept as information.
        table.add(new Row("enqueue creates, batches of 10k, 1 thread (table rows/s, 2 per create, vs 100-row INSERT, 4 clients)",
                Kind.RATIO_AT_LEAST, 0.25, 2 * ours, baseline, "rows/s"));
        table.add(new Row("enqueue creates, creates/s against the baseline's rows/s (the ratio of earlier runs)",
                Kind.INFO, Double.NaN, ours, baseline, "/s"));
        table.add(new Row("enqueue creates, absolute", Kind.AT_LEAST, 50_000, ours, Double.NaN, "creates/s"));
    }

    /** {@code n} creates over 1,000 presets, named as the reconciler names them ({@code prebuild-<32 hex>}). */
    private static List<CreateRequest> creates(int n, IdGeneratorPort ids, SplittableRandom random) {
        List<CreateRequest> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            WorkspaceId id = ids.newWorkspaceId();
            result.add(new CreateRequest(id, "prebuild-" + id.text().replace("-", ""), presetId(1 + random.nextInt(1000))));
        }
        return result;
    }

    // ---------------------------------------------------------------- claims

    private void claims() throws Exception {
        int seconds = quick ? 4 : 8;
        int clients = 32;
        seedPresets(10); // 100 presets
        seedRunning(5_000); // enough for the warm-up (up to 30 s), ours and the baseline without running dry
        if (System.getenv("BENCH_EXPLAIN") != null) {
            explain("explain analyze with preset as (select p.id, v.name as version, p.ttl_ms, p.invalidated_at,"
                    + " t.deprecated or t.deleted as inactive from templates t"
                    + " join template_versions v on v.template_id = t.id and v.active join presets p on p.version_id = v.id"
                    + " where t.name = 't-1' and p.name = 'p-7'), claimed as (update workspaces w set owner = 'x', name = 'y',"
                    + " claimed_at = now() where w.id = (select c.id from workspaces c"
                    + " where c.preset_id = (select id from preset where not inactive)"
                    + " and c.owner = 'prebuilds' and c.phase = 'running'"
                    + " and c.created_at > (select case when ttl_ms > 0 then now() - ttl_ms * interval '1 millisecond'"
                    + " else '-infinity'::timestamptz end from preset)"
                    + " and c.created_at >= (select coalesce(invalidated_at, '-infinity'::timestamptz) from preset)"
                    + " order by c.created_at, c.id limit 1 for no key update skip locked)"
                    + " and w.owner = 'prebuilds' and w.phase = 'running' returning w.id, w.created_at, w.outputs)"
                    + " select preset.id, preset.version, claimed.id from preset left join claimed on true");
        }
        // The port runs on a pool of its own on the same server, as large as the service's.
        int poolSize = claimsPoolSize();
        CpuMeter meter = cpuMeter();
        ClaimLoad.Result ours;
        try (PostgresDatabase pooled = PostgresDatabase.external(jdbcUrl(), user, password, poolSize)) {
            pooled.start();
            ClaimPort claims = adapters(pooled).getInstance(ClaimPort.class);
            ours = ClaimLoad.run(clients, WARM_UP_NANOS, seconds * 1_000_000_000L, meter, (client, name, preset) ->
                    claims.claim(preset, "bench-" + client, name, Instant.now()) instanceof ClaimPort.Claimed ok
                            ? ok.workspace().id().value() : null);
        }
        log(String.format(Locale.ROOT, "ours: %,d claims (%,d missed) in %.2f s after %,d warm-up claims in %.1f s,"
                        + " %d clients on %d connections, p50 %.2f ms, p99 %.2f ms, max %.0f ms, double claims %d; CPU"
                        + " per claim %.0f µs (JVM %.1f s, PostgreSQL %.1f s)", ours.claims(), ours.missed(),
                ours.seconds(), ours.warmUp(), ours.warmUpSeconds(), clients, poolSize, ours.p50Ms(), ours.p99Ms(),
                ours.maxMs(), ours.doubles(),
                ours.cpuMicrosPerCall(), ours.cpu().jvm(), ours.cpu().postgres()));
        if (ours.missed() > 0) {
            log("WARNING: the seeded pool ran dry for some presets; the rate includes misses");
        }
        ClaimBaseline base = claimBaseline(clients, seconds, meter);
        table.add(new Row("claims via ClaimPort, 32 clients (vs pgbench SKIP LOCKED + UPDATE)", Kind.RATIO_AT_LEAST,
                0.5, ours.rate(), base.pgbench().tps(), "claims/s"));
        table.add(new Row("claims p50 (baseline: pgbench p50)", Kind.INFO, Double.NaN, ours.p50Ms(), base.p50Ms(), "ms"));
        table.add(new Row("claims p99 (baseline: pgbench p99)", Kind.AT_MOST, 10, ours.p99Ms(), base.p99Ms(), "ms"));
        table.add(new Row("double claims", Kind.AT_MOST, 0, ours.doubles(), Double.NaN, ""));
        table.add(new Row("claims CPU per claim, JVM + PostgreSQL (baseline: pgbench + PostgreSQL)", Kind.INFO,
                Double.NaN, ours.cpuMicrosPerCall(), base.cpuMicrosPerClaim(), "µs"));
    }

    /**
     * The service's pool size at its default settings ({@link Composition#poolSize}), so that the port is measured
     * with the connections the service has; {@code -Dbench.claims.pool=N} to try another.
     */
    private static int claimsPoolSize() {
        int service = Composition.poolSize(Settings.from(Config.load(Map.of(), Map.of(), null)));
        return Integer.getInteger("bench.claims.pool", service);
    }

    /**
     * Claims through the REST API: the service's own composition (bootstrap's Guice modules) on this server, its
     * HTTP API on a free loopback port, 32 client threads POSTing the claim route; vs the same pgbench claim.
     */
    private void restClaims() throws Exception {
        int seconds = quick ? 4 : 8;
        int clients = 32;
        seedPresets(10); // 100 presets
        seedRunning(5_000); // enough for the warm-up (up to 30 s), ours and the baseline without running dry
        CpuMeter meter = cpuMeter();
        RestClaimBenchmark.Measured ours = RestClaimBenchmark.run(jdbcUrl(), user, password, clients, WARM_UP_NANOS,
                seconds * 1_000_000_000L, meter);
        ClaimLoad.Result r = ours.load();
        log(String.format(Locale.ROOT, "ours: %,d claims over HTTP (%,d missed) in %.2f s after %,d warm-up claims in"
                        + " %.1f s, %d clients, service pool of %d connections, p50 %.2f ms, p99 %.2f ms, max %.0f ms,"
                        + " double claims %d; CPU per claim %.0f µs (JVM %.1f s, PostgreSQL %.1f s)", r.claims(),
                r.missed(), r.seconds(), r.warmUp(), r.warmUpSeconds(), clients, ours.poolSize(), r.p50Ms(),
                r.p99Ms(), r.maxMs(), r.doubles(), r.cpuMicrosPerCall(), r.cpu().jvm(), r.cpu().postgres()));
        if (r.missed() > 0) {
            log("WARNING: the seeded pool ran dry for some presets; the rate includes misses");
        }
        ClaimBaseline base = claimBaseline(clients, seconds, meter);
        table.add(new Row("claims via REST API, 32 clients (vs pgbench SKIP LOCKED + UPDATE)", Kind.RATIO_AT_LEAST,
                0.25, r.rate(), base.pgbench().tps(), "claims/s"));
        table.add(new Row("REST claims p50 (baseline: pgbench p50)", Kind.INFO, Double.NaN, r.p50Ms(), base.p50Ms(), "ms"));
        table.add(new Row("REST claims p99 (baseline: pgbench p99)", Kind.INFO, Double.NaN, r.p99Ms(), base.p99Ms(), "ms"));
        table.add(new Row("REST double claims", Kind.AT_MOST, 0, r.doubles(), Double.NaN, ""));
        table.add(new Row("REST CPU per claim, JVM (server + clients) + PostgreSQL (baseline: pgbench + PostgreSQL)",
                Kind.INFO, Double.NaN, r.cpuMicrosPerCall(), base.cpuMicrosPerClaim(), "µs"));
    }

    /** The pgbench claim and the CPU it and the server spent per transaction. */
    private record ClaimBaseline(Pgbench.Result pgbench, double p50Ms, double p99Ms, double cpuMicrosPerClaim) {
    }

    /** Baseline of both claim benchmarks: SKIP LOCKED select of the oldest running prebuild + UPDATE, one statement. */
    private ClaimBaseline claimBaseline(int clients, int seconds, CpuMeter meter) throws Exception {
        String script = "\\set p random(1, 100)\n"
                + "update workspaces set owner = 'pgbench', name = 'b', claimed_at = now()"
                + " where id = (select id from workspaces where preset_id = :p and owner = 'prebuilds' and phase = 'running'"
                + " order by created_at, id limit 1 for no key update skip locked)"
                + " and owner = 'prebuilds' and phase = 'running';\n";
        long before = count("select count(*) from workspaces where owner = 'prebuilds'");
        CpuMeter.Sample cpu = meter.sample();
        Pgbench.Logged logged = pgbench.runLogged(script, clients, seconds);
        Pgbench.Result base = logged.result();
        Thread.sleep(200); // the server reaps pgbench's backends (and adds their CPU time) as they exit
        cpu = meter.sample().minus(cpu);
        long after = count("select count(*) from workspaces where owner = 'prebuilds'");
        double perClaim = (cpu.waitedChildren() + cpu.postgres()) / base.transactions() * 1e6;
        log(String.format(Locale.ROOT, "baseline: %.0f tx/s, mean %.2f ms, p50 %.2f ms, p99 %.2f ms; %,d prebuilds taken"
                        + " of %,d left; CPU per claim %.0f µs (pgbench %.1f s, PostgreSQL %.1f s)", base.tps(),
                base.latencyMeanMs(), logged.p50Ms(), logged.p99Ms(), before - after, before, perClaim,
                cpu.waitedChildren(), cpu.postgres()));
        if (after == 0) {
            log("WARNING: the baseline emptied the pool; its rate includes empty updates");
        }
        return new ClaimBaseline(base, logged.p50Ms(), logged.p99Ms(), perClaim);
    }

    private CpuMeter cpuMeter() throws SQLException {
        try (Connection c = db.openDedicatedConnection()) {
            return CpuMeter.forServerOf(c);
        }
    }

    private String jdbcUrl() throws SQLException {
        try (Connection c = db.openDedicatedConnection()) {
            return c.getMetaData().getURL();
        }
    }

    /** Prints a plan, rolled back (diagnostics for docs/benchmarks.md; BENCH_EXPLAIN=1). */
    private void explain(String query) throws SQLException {
        try (Connection c = db.openDedicatedConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try (var rs = s.executeQuery(query)) {
                while (rs.next()) {
                    log("  " + rs.getString(1));
                }
            }
            c.rollback();
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = db.openDedicatedConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------- workers

    private void workers() throws Exception {
        int seconds = quick ? 4 : 8;
        int clients = 4;
        seedPresets(100);
        int jobs = quick ? 80_000 : 150_000;
        sql("insert into workspaces (id, preset_id, owner, name, phase, created_at)"
                        + " select gen_random_uuid(), 1 + k % 1000, 'prebuilds', 'pb-' || k, 'starting', now()"
                        + " from generate_series(1, " + jobs + ") k",
                "insert into builds (workspace_id, preset_id, transition, status, reason, not_before, created_at)"
                        + " select id, preset_id, 'create', 'pending', 'bench', now() - interval '1 minute', now()"
                        + " from workspaces order by name",
                "vacuum analyze workspaces", "vacuum analyze builds");
        if (System.getenv("BENCH_EXPLAIN") != null) {
            explain("explain analyze update builds set status = 'running', worker = 'x', started_at = now(),"
                    + " heartbeat_at = now(), attempt = builds.attempt + 1 from workspaces, presets"
                    + " where builds.id = (select next.id from builds next where next.status = 'pending'"
                    + " and next.not_before <= now() order by next.transition desc, next.id limit 1 for update skip locked)"
                    + " and workspaces.id = builds.workspace_id and presets.id = builds.preset_id"
                    + " returning builds.id, workspaces.name, presets.parameters");
        }
        BuildQueuePort queue = adapters.getInstance(BuildQueuePort.class);
        FailurePolicy policy = new FailurePolicy(BackoffSettings.defaults(), 5, new SplittableRandom(3));
        AtomicLong done = new AtomicLong();
        AtomicLong all = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            WorkerId worker = new WorkerId("bench-" + c);
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                JobResult ok = new JobResult.Succeeded(java.util.Map.of(), "");
                while (System.nanoTime() < window[1]) {
                    boolean measured = System.nanoTime() >= window[0]; // before: warm-up (JIT), not counted
                    Optional<Job> job = queue.acquire(worker, Instant.now());
                    if (job.isEmpty()) {
                        break;
                    }
                    Instant now = Instant.now();
                    queue.complete(job.get().id(), worker, ok, now,
                            state -> policy.recordOutcome(state, CreateOutcome.SUCCEEDED, now));
                    all.incrementAndGet();
                    if (measured) {
                        done.incrementAndGet();
                    }
                }
            }, "worker-" + c);
            threads.add(t);
            t.start();
        }
        log("workers start (2 s warm-up, then measured)");
        window[0] = System.nanoTime() + WARM_UP_NANOS;
        window[1] = window[0] + seconds * 1_000_000_000L;
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - window[0]) / 1e9;
        double ours = done.get() / wall;
        log(String.format(Locale.ROOT, "ours: %,d jobs acquired + completed in %.2f s at %d workers (%,d with the warm-up)",
                done.get(), wall, clients, all.get()));

        // Baseline: acquire (SKIP LOCKED) in one statement, then complete build + workspace in one transaction.
        String script = "update builds set status = 'running', worker = 'pgbench', started_at = now(), heartbeat_at = now(),"
                + " attempt = attempt + 1 where id = (select id from builds where status = 'pending' and not_before <= now()"
                + " order by transition desc, id limit 1 for update skip locked) returning id, workspace_id \\gset\n"
                + "begin;\n"
                + "update builds set status = 'succeeded', finished_at = now(), log = '' where id = :id"
                + " and status = 'running' and worker = 'pgbench';\n"
                + "update workspaces set phase = 'running', ready_at = now() where id = :workspace_id;\n"
                + "end;\n";
        long pending = count("select count(*) from builds where status = 'pending'");
        log("baseline start");
        Pgbench.Result base = pgbench.run(script, clients, seconds);
        log(String.format(Locale.ROOT, "baseline: %.0f jobs/s at %d clients (%,d pending before, %,d jobs)", base.tps(),
                clients, pending, base.transactions()));
        table.add(new Row("workers acquire + complete, no-op provisioner, 4 threads (vs pgbench, 4 clients)",
                Kind.RATIO_AT_LEAST, 0.5, ours, base.tps(), "jobs/s"));
    }

    // ---------------------------------------------------------------- snapshot

    /**
     * Loads the snapshot of {@code presets} presets (10 prebuilds each) against a COPY of the same rows; SPEC §6
     * sets the ≤ 2× target at 10k presets, so a smaller size is recorded as information ({@code kind}).
     * Answers the statements one load executed.
     */
    private long snapshot(int presets, Kind kind) throws Exception {
        return snapshot(presets, kind, false);
    }

    /**
     * @param autoscale every preset with autoscale (R13, lookback 14 days) and a week of measured demand: a claim
     *                  count for each hour and ten minute counts in the last hour (its prebuilds' ready times are
     *                  their build times); the COPY it is compared with does not read those rows, so record it as
     *                  information
     */
    private long snapshot(int presets, Kind kind, boolean autoscale) throws Exception {
        seedPresets(presets / 10);
        seedRunning(10);
        if (autoscale) {
            sql("update presets set autoscale_target_hit_rate = 0.99, autoscale_min = 0, autoscale_max = 20,"
                            + " autoscale_lookback_ms = " + java.time.Duration.ofDays(14).toMillis(),
                    "insert into demand_hours (template, preset, hour, claims)"
                            + " select t.name, p.name, date_trunc('hour', now()) - h * interval '1 hour', 1 + h % 5"
                            + " from presets p join template_versions v on v.id = p.version_id"
                            + " join templates t on t.id = v.template_id, generate_series(1, 168) h",
                    "insert into demand_minutes (template, preset, minute, claims)"
                            + " select t.name, p.name, date_trunc('minute', now()) - m * interval '5 minutes', 1"
                            + " from presets p join template_versions v on v.id = p.version_id"
                            + " join templates t on t.id = v.template_id, generate_series(1, 10) m");
        }
        sql("vacuum analyze");
        PresetSnapshotPort snapshots = adapters.getInstance(PresetSnapshotPort.class);
        int repeats = quick ? 3 : 9;
        for (int i = 0; i < 2; i++) {
            snapshots.load(PresetSnapshotPort.Scope.ALL); // warm-up
        }
        double[] ours = new double[repeats];
        long queriesPerLoad = 0;
        int loaded = 0;
        for (int i = 0; i < repeats; i++) {
            long q0 = queries.get();
            long t0 = System.nanoTime();
            PresetSnapshotPort.Snapshot s = snapshots.load(PresetSnapshotPort.Scope.ALL);
            ours[i] = (System.nanoTime() - t0) / 1e6;
            queriesPerLoad = queries.get() - q0;
            loaded = s.presets().size();
        }
        double[] copy = new double[repeats];
        try (Connection c = db.openDedicatedConnection()) {
            CopyManager copier = c.unwrap(PGConnection.class).getCopyAPI();
            for (int i = -2; i < repeats; i++) {
                long t0 = System.nanoTime();
                StringWriter presetsOut = new StringWriter();
                copier.copyOut("copy (select p.id, t.name, v.name, p.name, p.instances, p.ttl_ms, p.timezone,"
                        + " p.invalidated_at, t.deprecated, t.deleted, v.active from presets p"
                        + " join template_versions v on v.id = p.version_id join templates t on t.id = v.template_id)"
                        + " to stdout", presetsOut);
                StringWriter workspacesOut = new StringWriter();
                copier.copyOut("copy (select preset_id, id, phase, created_at, failed_at from workspaces"
                        + " where owner = 'prebuilds' and phase in ('running', 'failed')) to stdout", workspacesOut);
                if (i >= 0) {
                    copy[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        double oursMs = median(ours);
        double copyMs = median(copy);
        log(String.format(Locale.ROOT, "ours: %d presets loaded in %.1f ms (median of %d), %d queries; COPY %.1f ms",
                loaded, oursMs, repeats, queriesPerLoad, copyMs));
        String label = String.format(Locale.ROOT, "snapshot load, %,d presets%s / %,d prebuilds", presets,
                autoscale ? " with autoscale (a week of hourly demand each)" : "", presets * 10);
        table.add(new Row(label + " (vs COPY of the same rows)", kind, kind == Kind.INFO ? Double.NaN : 2, oursMs, copyMs, "ms"));
        table.add(new Row(label + ", queries per load", Kind.INFO, Double.NaN, queriesPerLoad, Double.NaN, ""));
        return queriesPerLoad;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            log("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
