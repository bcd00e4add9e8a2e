package io.warmpool.bootstrap.simulate;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.db.PostgresModule;
import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.provisioner.SimulatedProvisioner;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.application.service.TimeOrderedIds;
import io.warmpool.application.wiring.ApplicationModule;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.wiring.CoreModule;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.FailurePolicy;
import java.time.Clock;
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
 * provisioner, composed from the service's own modules with {@link SimulationModule} overriding what virtual time
 * replaces, and driven in {@link VirtualTime} — passes at the reconcile interval, job completions at their
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

    /**
     * Runs the scenario on the database of {@code database} (a module providing a {@link PostgresDatabase}, not yet
     * started: the run starts it and stops it).
     */
    Result run(Module database) {
        Settings settings = Settings.from(Config.load(scenario.config(), Map.of(), null));
        VirtualTime time = new VirtualTime(scenario.start());
        Instant end = scenario.start().plus(duration);
        List<Event> events = new ArrayList<>();
        List<PassReport> passes = new ArrayList<>();
        // The service's modules, with what virtual time replaces overridden (SimulationModule).
        Injector injector = Guice.createInjector(Stage.DEVELOPMENT, Modules.override(
                new CoreModule(settings), new ApplicationModule(), database, new PostgresModule())
                .with(new SimulationModule(time, settings, seed, scenario.provisioner(), events::addAll, passes::add)));
        PostgresDatabase db = injector.getInstance(PostgresDatabase.class);
        try (db) {
            db.start();
            return run(injector, time, end, settings, events, passes);
        }
    }

    private Result run(Injector injector, VirtualTime time, Instant end, Settings settings, List<Event> events,
                       List<PassReport> passes) {
        var presets = PresetsYaml.parse(presetsYaml, presetsSource);
        injector.getInstance(ApplyPresetsUseCase.class).apply(presets);
        ReconcilePresetsUseCase reconcile = injector.getInstance(ReconcilePresetsUseCase.class);
        Workers workers = injector.getInstance(Workers.class);
        RunProvisionerJobsUseCase jobs = injector.getInstance(RunProvisionerJobsUseCase.class);
        // Readiness (R10) and liveness (R11) checks: due ones are taken at each pass (checks are no jobs a pass
        // enqueues), and provisioned prebuilds past their deadline fail there; without such presets nothing changes.
        boolean checked = io.warmpool.domain.definition.PresetsValidator.validate(presets).templates().stream()
                .flatMap(t -> t.presets().stream())
                .anyMatch(p -> p.policy().readiness() != null || p.policy().health() != null);

        // Regular passes from the start, every reconcile interval.
        Duration interval = settings.reconcileInterval();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            pass(reconcile, Scope.ALL, workers);
            if (checked) {
                jobs.failOverdueReadiness();
                workers.kick();
            }
            time.at(time.instant().plus(interval), tick[0]);
        };
        time.at(scenario.start(), tick[0]);
        scheduleClaims(time, end, injector.getInstance(ClaimPrebuildUseCase.class));
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

    /**
     * What a simulator run replaces in the service's modules: virtual time for the clock and the timer, ids and
     * failure draws seeded from {@code --seed}, the in-memory lock of a single replica ({@link SingleReplicaLock}),
     * the simulated provisioner in virtual time, nudges served by a scoped pass at the same virtual instant, and
     * sinks that keep the events and pass reports for the result.
     */
    static final class SimulationModule extends AbstractModule {
        private final VirtualTime time;
        private final Settings settings;
        private final long seed;
        private final SimulatedProvisionerConfig provisioner;
        private final EventSinkPort events;
        private final Consumer<PassReport> passes;

        SimulationModule(VirtualTime time, Settings settings, long seed, SimulatedProvisionerConfig provisioner,
                         EventSinkPort events, Consumer<PassReport> passes) {
            this.time = time;
            this.settings = settings;
            this.seed = seed;
            this.provisioner = provisioner;
            this.events = events;
            this.passes = passes;
        }

        @Override
        protected void configure() {
            bind(Clock.class).toInstance(time);
            bind(TimerPort.class).toInstance(time);
            bind(VirtualTime.class).toInstance(time);
            bind(EventSinkPort.class).toInstance(events);
            bind(MetricsPort.class).toInstance(new MetricsPort() {
                @Override
                public void passFinished(PassReport report) {
                    passes.accept(report);
                }
            });
            // One replica on one thread: the lock is in memory (see SingleReplicaLock), not a connection per pass.
            bind(ReconciliationLockPort.class).to(SingleReplicaLock.class);
            bind(NudgePort.class).to(VirtualTimeNudges.class);
        }

        @Provides
        @Singleton
        SingleReplicaLock lock() {
            return new SingleReplicaLock();
        }

        @Provides
        @Singleton
        IdGeneratorPort ids() {
            return new TimeOrderedIds(time, new Random(seed * 0x9E3779B97F4A7C15L + 1));
        }

        @Provides
        @Singleton
        FailurePolicy failurePolicy() {
            return new FailurePolicy(settings.backoff(), settings.failureHardLimit(), new Random(seed));
        }

        @Provides
        @Singleton
        WorkspaceProvisionerPort provisioner() {
            return new SimulatedProvisioner(provisioner, seed, time);
        }

        @Provides
        @Singleton
        Workers workers(RunProvisionerJobsUseCase jobs) {
            return new Workers(jobs, time, settings.workers());
        }

        @Provides
        @Singleton
        VirtualTimeNudges nudges(ReconcilePresetsUseCase reconcile, Workers workers) {
            return new VirtualTimeNudges(time, reconcile, workers);
        }
    }

    /** Nudges in virtual time: a scoped pass right after the claim, at the same instant (coalesced). */
    static final class VirtualTimeNudges implements NudgePort {
        private final VirtualTime time;
        private final ReconcilePresetsUseCase reconcile;
        private final Workers workers;
        private final Set<PresetId> nudged = new LinkedHashSet<>();

        VirtualTimeNudges(VirtualTime time, ReconcilePresetsUseCase reconcile, Workers workers) {
            this.time = time;
            this.reconcile = reconcile;
            this.workers = workers;
        }

        @Override
        public void nudge(PresetId preset) {
            if (nudged.isEmpty()) {
                time.at(time.instant(), () -> {
                    Set<PresetId> batch = Set.copyOf(nudged);
                    nudged.clear();
                    pass(reconcile, Scope.of(batch), workers);
                });
            }
            nudged.add(preset);
        }

        @Override
        public Subscription subscribe(Consumer<PresetId> listener) {
            return () -> { };
        }
    }

    private static void pass(ReconcilePresetsUseCase reconcile, Scope scope, Workers workers) {
        PassReport report = reconcile.reconcile(scope);
        if (report.ran() && report.creates() + report.deletes() > 0) {
            workers.kick();
        }
    }

    private void scheduleClaims(VirtualTime time, Instant end, ClaimPrebuildUseCase claims) {
        int preset = 0;
        for (Map.Entry<PresetRef, Demand> e : scenario.claims().entrySet()) {
            Demand demand = e.getValue();
            if (!demand.any()) {
                continue;
            }
            // Each preset its own streams, so adding a preset to the scenario doesn't move another's arrivals.
            int n = 0;
            PresetRef ref = e.getKey();
            for (Instant t : demand.arrivals(ref.toString(), seed, scenario.start(), end)) {
                String owner = "user-" + (preset + 1) + "-" + (++n);
                time.at(t, () -> {
                    try {
                        // claimWaiting: with a simulated claim transition the handoff completes in virtual time,
                        // after this event (claim would wait for it here and stop the clock).
                        claims.claimWaiting(new ClaimCommand(ref, owner, Optional.empty()));
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
        private final RunProvisionerJobsUseCase jobs;
        private final VirtualTime time;
        private final boolean[] busy;

        Workers(RunProvisionerJobsUseCase jobs, VirtualTime time, int slots) {
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
