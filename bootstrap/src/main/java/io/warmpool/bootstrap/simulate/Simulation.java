package io.warmpool.bootstrap.simulate;

import io.warmpool.adapters.db.PostgresAdapters;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.http.PresetsYaml;
import io.warmpool.adapters.provisioner.SimulatedProvisioner;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.service.ClaimPrebuildService;
import io.warmpool.application.service.PresetOperationsService;
import io.warmpool.application.service.ProvisionerWorkerService;
import io.warmpool.application.service.ReconcilePresetsService;
import io.warmpool.application.service.TimeOrderedIds;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One simulator run: the real application services on the real PostgreSQL adapter and the simulated
 * provisioner, driven in {@link VirtualTime} — passes at the reconcile interval, job completions at their
 * latency, claim arrivals from the scenario — with no sleeping and no other thread. Same inputs and seed, same run.
 * The reconciliation lock is the one thing held in memory ({@link SingleReplicaLock}): a run is one replica.
 */
final class Simulation {

    /** What a run produced: every event in order, and every pass report. */
    record Result(Instant start, Instant end, List<Event> events, List<PassReport> passes, long tasks) {
    }

    private final Scenario scenario;
    private final String presetsYaml;
    private final String presetsSource;
    private final Duration duration;
    private final long seed;
    private final Consumer<String> progress;

    Simulation(Scenario scenario, String presetsYaml, String presetsSource, Duration duration, long seed, Consumer<String> progress) {
        this.scenario = scenario;
        this.presetsYaml = presetsYaml;
        this.presetsSource = presetsSource;
        this.duration = duration;
        this.seed = seed;
        this.progress = progress;
    }

    Result run(PostgresDatabase database) {
        Settings settings = Settings.from(Config.load(scenario.config(), Map.of(), null));
        VirtualTime time = new VirtualTime(scenario.start());
        Instant end = scenario.start().plus(duration);
        List<Event> events = new ArrayList<>();
        List<PassReport> passes = new ArrayList<>();
        EventSinkPort sink = events::addAll;
        MetricsPort metrics = new MetricsPort() {
            @Override
            public void passFinished(PassReport report) {
                passes.add(report);
            }
        };

        database.start();
        PostgresAdapters db = new PostgresAdapters(database, time);
        TimeOrderedIds ids = new TimeOrderedIds(time, new Random(seed * 0x9E3779B97F4A7C15L + 1));
        FailurePolicy failurePolicy = new FailurePolicy(settings.backoff(), settings.failureHardLimit(), new Random(seed));
        Set<PresetId> nudged = new LinkedHashSet<>();
        ReconcilePresetsService[] reconcile = new ReconcilePresetsService[1];
        Workers[] workers = new Workers[1];
        // Nudges in virtual time: a scoped pass right after the claim, at the same instant.
        NudgePort nudges = new NudgePort() {
            @Override
            public void nudge(PresetId preset) {
                if (nudged.isEmpty()) {
                    time.at(time.instant(), () -> {
                        Set<PresetId> batch = Set.copyOf(nudged);
                        nudged.clear();
                        pass(reconcile[0], Scope.of(batch), workers[0]);
                    });
                }
                nudged.add(preset);
            }

            @Override
            public Subscription subscribe(Consumer<PresetId> listener) {
                return () -> { };
            }
        };
        // One replica on one thread: the lock is in memory (see SingleReplicaLock), not a connection per pass.
        reconcile[0] = new ReconcilePresetsService(time, new SingleReplicaLock(), db.settings(), db.snapshots(), db.buildQueue(), ids,
                sink, metrics, settings.reconcile());
        ProvisionerWorkerService jobs = new ProvisionerWorkerService(time, db.buildQueue(),
                new SimulatedProvisioner(scenario.provisioner(), seed, time), time, failurePolicy, sink, MetricsPort.NONE,
                settings.worker());
        ClaimPrebuildService claims = new ClaimPrebuildService(time, db.claims(), nudges, ids, sink, MetricsPort.NONE);
        PresetOperationsService operations = new PresetOperationsService(time, db.presetStore(), db.failureStates(),
                db.settings(), db.workspaces(), db.buildQueue(), nudges, sink, failurePolicy);
        operations.apply(PresetsYaml.parse(presetsYaml, presetsSource));
        workers[0] = new Workers(jobs, time, settings.workers());

        // Regular passes from the start, every reconcile interval.
        Duration interval = settings.reconcileInterval();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            pass(reconcile[0], Scope.ALL, workers[0]);
            time.at(time.instant().plus(interval), tick[0]);
        };
        time.at(scenario.start(), tick[0]);
        scheduleClaims(time, end, claims);
        // Progress on long runs: one line per simulated hour.
        Runnable[] hourly = new Runnable[1];
        hourly[0] = () -> {
            progress.accept("simulated " + Duration.between(scenario.start(), time.instant()).toHours() + "h of "
                    + duration.toHours() + "h: " + events.size() + " events");
            time.at(time.instant().plus(Duration.ofHours(1)), hourly[0]);
        };
        time.at(scenario.start().plus(Duration.ofHours(1)), hourly[0]);

        time.runUntil(end);
        events.sort(java.util.Comparator.comparing(Event::at)); // stable: same-instant events keep their order
        return new Result(scenario.start(), end, List.copyOf(events), List.copyOf(passes), time.executed());
    }

    private static void pass(ReconcilePresetsService reconcile, Scope scope, Workers workers) {
        PassReport report = reconcile.reconcile(scope);
        if (report.ran() && report.creates() + report.deletes() > 0) {
            workers.kick();
        }
    }

    private void scheduleClaims(VirtualTime time, Instant end, ClaimPrebuildService claims) {
        int preset = 0;
        for (Map.Entry<PresetRef, Scenario.ClaimLoad> e : scenario.claims().entrySet()) {
            Scenario.ClaimLoad load = e.getValue();
            if (load.perHour() <= 0) {
                continue;
            }
            // Each preset its own stream, so adding a preset to the scenario doesn't move another's arrivals.
            Random random = new Random(seed * 31 + e.getKey().toString().hashCode());
            double meanMillis = 3_600_000d / load.perHour();
            Instant t = scenario.start();
            int n = 0;
            while (true) {
                t = t.plusMillis(Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * meanMillis)));
                if (!t.isBefore(end)) {
                    break;
                }
                if (!load.open(t)) {
                    continue;
                }
                String owner = "user-" + (preset + 1) + "-" + (++n);
                PresetRef ref = e.getKey();
                time.at(t, () -> {
                    try {
                        claims.claim(new ClaimCommand(ref, owner, Optional.empty()));
                    } catch (NotFoundException ignored) {
                        // a scenario claiming an unknown preset: nothing to hand out, nothing to record
                    }
                });
            }
            preset++;
        }
    }

    /** The provisioner workers in virtual time: each slot takes the next job as soon as it is free. */
    static final class Workers {
        private final ProvisionerWorkerService jobs;
        private final VirtualTime time;
        private final boolean[] busy;

        Workers(ProvisionerWorkerService jobs, VirtualTime time, int slots) {
            this.jobs = jobs;
            this.time = time;
            this.busy = new boolean[slots];
        }

        void kick() {
            for (int i = 0; i < busy.length; i++) {
                if (!busy[i]) {
                    next(i);
                }
            }
        }

        private void next(int slot) {
            busy[slot] = true;
            jobs.runNext(new Worker("sim/w" + (slot + 1))).whenComplete((step, error) -> {
                busy[slot] = false;
                if (error == null && step != WorkerStep.IDLE) {
                    // take the next job at the same instant, as its own task (no deep recursion)
                    time.at(time.instant(), () -> {
                        if (!busy[slot]) {
                            next(slot);
                        }
                    });
                }
            });
        }
    }
}
