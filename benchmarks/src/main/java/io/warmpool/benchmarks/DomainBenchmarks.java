package io.warmpool.benchmarks;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.BackoffPolicy;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.Jitter;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.PendingCap;
import io.warmpool.domain.plan.Planner;
import io.warmpool.domain.plan.PlannerSettings;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pure-domain benchmarks of SPEC §6, one thread each. Scores are in operations per second where one
 * operation is one preset planned, one backoff delay computed, or one schedule window looked up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class DomainBenchmarks {

    /** Presets in the synthetic snapshot; prebuilds are about ten times as many. */
    public static final int PRESETS = 100_000;

    static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @State(Scope.Benchmark)
    public static class Snapshot {
        List<PresetSnapshot> presets;
        Planner planner;
        long prebuilds;

        @Setup(Level.Trial)
        public void build() {
            planner = new Planner(PlannerSettings.DEFAULTS);
            presets = synthetic(PRESETS, 42);
            prebuilds = presets.stream().mapToLong(p -> p.running().size()).sum();
        }
    }

    /**
     * 100k presets wanting 10 instances each, with 5 to 15 running prebuilds (about 1M in all) of mixed
     * ages under a 24 h TTL, a few queued or starting creates, a tenth of them scheduled, and a few in backoff.
     */
    static List<PresetSnapshot> synthetic(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        PrebuildSchedule office = new PrebuildSchedule(ZoneId.of("Europe/Berlin"),
                List.of(new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 12)));
        FailureState backoff = new FailureState(3, NOW.minusSeconds(30), NOW.plusSeconds(90),
                io.warmpool.domain.backoff.PresetStatus.HEALTHY);
        List<PresetSnapshot> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PresetId id = new PresetId("template-" + (i / 10), "v1", "preset-" + (i % 10));
            PrebuildSchedule schedule = i % 10 == 0 ? office : PrebuildSchedule.none();
            PrebuildPolicy policy = new PrebuildPolicy(10, Duration.ofHours(24), schedule);
            int running = 5 + random.nextInt(11);
            List<Prebuild> prebuilds = new ArrayList<>(running);
            for (int r = 0; r < running; r++) {
                prebuilds.add(new Prebuild(new WorkspaceId(new UUID(i, r)),
                        NOW.minusSeconds(random.nextInt(26 * 3600))));
            }
            int queued = random.nextInt(2);
            InFlight inFlight = new InFlight(queued + random.nextInt(2), queued, 0);
            FailureState failure = i % 50 == 0 ? backoff : null;
            result.add(new PresetSnapshot(id, Activity.ACTIVE, policy, null, failure, prebuilds, List.of(), inFlight));
        }
        return result;
    }

    /** Plans every preset of the snapshot and applies the global pending cap, as one pass does. */
    @Benchmark
    @OperationsPerInvocation(PRESETS)
    public List<PresetPlan> planPass(Snapshot s) {
        List<PresetPlan> plans = new ArrayList<>(s.presets.size());
        for (PresetSnapshot p : s.presets) {
            plans.add(s.planner.plan(p, NOW));
        }
        return PendingCap.apply(plans, 5_000, 100);
    }

    @State(Scope.Thread)
    public static class Backoff {
        BackoffSettings exponential;
        BackoffSettings linear;
        SplittableRandom random;

        @Setup(Level.Trial)
        public void build() {
            exponential = new BackoffSettings(
                    new BackoffPolicy.Exponential(Duration.ofSeconds(15), Duration.ofHours(1), new BigDecimal("2")),
                    Jitter.FULL);
            linear = new BackoffSettings(new BackoffPolicy.Linear(Duration.ofSeconds(30)), Jitter.EQUAL);
            random = new SplittableRandom(7);
        }
    }

    /** One delay per operation, k = 1 … 20, exponential with full jitter (capped from k = 9). */
    @Benchmark
    @OperationsPerInvocation(20)
    public void backoffExponential(Backoff b, Blackhole bh) {
        for (int k = 1; k <= 20; k++) {
            bh.consume(b.exponential.delay(k, b.random));
        }
    }

    /** One delay per operation, k = 1 … 20, linear with equal jitter. */
    @Benchmark
    @OperationsPerInvocation(20)
    public void backoffLinear(Backoff b, Blackhole bh) {
        for (int k = 1; k <= 20; k++) {
            bh.consume(b.linear.delay(k, b.random));
        }
    }

    @State(Scope.Thread)
    public static class Schedule {
        PrebuildSchedule schedule;
        Instant[] instants;

        @Setup(Level.Trial)
        public void build() {
            schedule = new PrebuildSchedule(ZoneId.of("America/New_York"), List.of(
                    new ScheduleWindow(CronWindow.parse("* 8-11 * * 1-5"), 10),
                    new ScheduleWindow(CronWindow.parse("* 12-18 * * 1-5"), 6),
                    new ScheduleWindow(CronWindow.parse("* 9-14 * * 6"), 2)));
            instants = new Instant[64];
            for (int i = 0; i < instants.length; i++) {
                instants[i] = NOW.plus(Duration.ofMinutes(157L * i));
            }
        }
    }

    /** One {@code windowAt} per operation over a week of instants, three windows in a DST zone. */
    @Benchmark
    @OperationsPerInvocation(64)
    public void scheduleWindowAt(Schedule s, Blackhole bh) {
        for (Instant at : s.instants) {
            Optional<ScheduleWindow> w = s.schedule.windowAt(at);
            bh.consume(w);
        }
    }
}
