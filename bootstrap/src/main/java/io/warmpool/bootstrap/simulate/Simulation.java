package io.warmpool.bootstrap.simulate;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
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
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
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
import io.warmpool.domain.plan.PlanAction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final boolean quietReads;

    Simulation(Scenario scenario, String presetsYaml, String presetsSource, Duration duration, long seed, Consumer<String> progress) {
        this(scenario, presetsYaml, presetsSource, duration, seed, progress, true);
    }

    private Simulation(Scenario scenario, String presetsYaml, String presetsSource, Duration duration, long seed,
                       Consumer<String> progress, boolean quietReads) {
        this.scenario = scenario;
        this.presetsYaml = presetsYaml;
        this.presetsSource = presetsSource;
        this.duration = duration;
        this.seed = seed;
        this.progress = progress;
        this.quietReads = quietReads;
    }

    /** This run with every pass reading the database, as before {@link QuietReads}: what tests compare it with. */
    Simulation everyPassReadingTheDatabase() {
        return new Simulation(scenario, presetsYaml, presetsSource, duration, seed, progress, false);
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
        var presets = PresetsYaml.parse(presetsYaml, presetsSource);
        var policies = io.warmpool.domain.definition.PresetsValidator.validate(presets).templates().stream()
                .flatMap(t -> t.presets().stream()).map(p -> p.policy()).toList();
        // Readiness (R10) and liveness (R11) checks: due ones are taken at each pass (checks are no jobs a pass
        // enqueues), and provisioned prebuilds past their deadline fail there; without such presets nothing changes.
        boolean checked = policies.stream().anyMatch(p -> p.readiness() != null || p.health() != null);
        // Where time alone changes what a pass reads, every pass reads the database (QuietReads); autoscale's demand
        // moves with time only at hour and minute boundaries, which QuietReads reads again at.
        boolean remember = quietReads && !checked;
        boolean demand = policies.stream().anyMatch(p -> p.autoscale() != null);
        Injector injector = Guice.createInjector(Stage.DEVELOPMENT, Modules.override(
                new CoreModule(settings), new ApplicationModule(), database, new PostgresModule())
                .with(new SimulationModule(time, settings, seed, scenario.provisioner(), events::addAll, passes::add,
                        remember, demand)));
        PostgresDatabase db = injector.getInstance(PostgresDatabase.class);
        try (db) {
            db.start();
            injector.getInstance(ApplyPresetsUseCase.class).apply(presets);
            return run(injector, time, end, settings, events, passes, checked);
        }
    }

    private Result run(Injector injector, VirtualTime time, Instant end, Settings settings, List<Event> events,
                       List<PassReport> passes, boolean checked) {
        ReconcilePresetsUseCase reconcile = injector.getInstance(ReconcilePresetsUseCase.class);
        Workers workers = injector.getInstance(Workers.class);
        RunProvisionerJobsUseCase jobs = injector.getInstance(RunProvisionerJobsUseCase.class);

        // Regular passes from the start, every reconcile interval.
        Duration interval = settings.reconcileInterval();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            pass(reconcile, Scope.ALL, workers, time);
            if (checked) {
                jobs.failOverdueReadiness();
                workers.kick();
                time.changed();
            }
            time.quietlyAt(time.instant().plus(interval), tick[0]);
        };
        time.quietlyAt(scenario.start(), tick[0]);
        scheduleClaims(time, end, injector.getInstance(ClaimPrebuildUseCase.class));
        // Progress on long runs: one line per simulated hour.
        Runnable[] hourly = new Runnable[1];
        hourly[0] = () -> {
            progress.accept("simulated " + Duration.between(scenario.start(), time.instant()).toHours() + "h of "
                    + duration.toHours() + "h: " + events.size() + " events");
            time.quietlyAt(time.instant().plus(Duration.ofHours(1)), hourly[0]);
        };
        time.quietlyAt(scenario.start().plus(Duration.ofHours(1)), hourly[0]);

        time.runUntil(end);
        progress.accept("passes: " + injector.getInstance(QuietReads.class).stats());
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
        private final boolean remember;
        private final boolean demand;

        SimulationModule(VirtualTime time, Settings settings, long seed, SimulatedProvisionerConfig provisioner,
                         EventSinkPort events, Consumer<PassReport> passes, boolean remember, boolean demand) {
            this.time = time;
            this.settings = settings;
            this.seed = seed;
            this.provisioner = provisioner;
            this.events = events;
            this.passes = passes;
            this.remember = remember;
            this.demand = demand;
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
            // What a quiet pass reads is remembered (QuietReads); the database's adapters stay behind it.
            bind(PresetSnapshotPort.class).to(QuietReads.class);
            bind(SettingsPort.class).to(QuietReads.class);
        }

        /**
         * The database's build queue, but for heartbeats: a job's heartbeat is answered here, {@code true}, and not
         * written. Its only reader is the reaping of lost jobs, which a run never does (one replica, whose workers
         * are tasks of virtual time and cannot be lost), and in a run a running job's heartbeat finds it running
         * and held by its worker: nothing but its own completion ends it, and that cancels the heartbeat. A write
         * no one reads was, for a long run, one round trip to PostgreSQL every 20 s of each job. Virtual time is
         * told, so that the heartbeat does not count as a change ({@link VirtualTime#heartbeat()}).
         */
        @Provides
        @Singleton
        BuildQueuePort buildQueue(Injector injector) {
            BuildQueuePort queue = databaseAdapter(injector, BuildQueuePort.class);
            // A proxy, not a decorator class: every other method of the port passes through unchanged, whatever the
            // port gains later.
            return (BuildQueuePort) Proxy.newProxyInstance(BuildQueuePort.class.getClassLoader(),
                    new Class<?>[] {BuildQueuePort.class}, (proxy, method, args) -> {
                        if (method.getName().equals("heartbeat") && method.getReturnType() == boolean.class) {
                            time.heartbeat();
                            return true;
                        }
                        try {
                            return method.invoke(queue, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Provides
        @Singleton
        QuietReads quietReads(Injector injector) {
            return new QuietReads(databaseAdapter(injector, PresetSnapshotPort.class),
                    databaseAdapter(injector, SettingsPort.class), time, remember, demand);
        }

        /**
         * The database's implementation of {@code port}. PostgresModule binds the port to its package-private adapter,
         * which it also binds under the adapter's own class; overriding the port's key leaves that binding, the only
         * concrete class among the bindings implementing the port, so it is found by type.
         */
        private static <T> T databaseAdapter(Injector injector, Class<T> port) {
            List<Binding<?>> found = injector.getBindings().values().stream()
                    .filter(b -> b.getKey().getAnnotationType() == null)
                    .filter(b -> {
                        Class<?> type = b.getKey().getTypeLiteral().getRawType();
                        return port.isAssignableFrom(type) && !type.isInterface() && type != QuietReads.class;
                    })
                    .toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one database adapter implementing " + port.getSimpleName()
                        + ", found " + found.stream().map(b -> b.getKey().toString()).toList());
            }
            return port.cast(found.get(0).getProvider().get());
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
                    pass(reconcile, Scope.of(batch), workers, time);
                });
            }
            nudged.add(preset);
        }

        @Override
        public Subscription subscribe(Consumer<PresetId> listener) {
            return () -> { };
        }
    }

    private static void pass(ReconcilePresetsUseCase reconcile, Scope scope, Workers workers, VirtualTime time) {
        PassReport report = reconcile.reconcile(scope);
        if (report.ran() && report.creates() + report.deletes() > 0) {
            workers.kick();
        }
        if (!changedNothing(report)) {
            time.changed();
        }
    }

    /**
     * Whether a pass wrote nothing: no plan but blocked lines (ReconcilePresetsService calls the build queue only
     * for deletes, creates and cancels), nothing failed, no worker kicked.
     */
    private static boolean changedNothing(PassReport report) {
        return report.creates() + report.deletes() + report.cancels() == 0 && report.failures().isEmpty()
                && report.plans().stream().allMatch(p -> p.actions().stream().allMatch(a -> a instanceof PlanAction.Blocked));
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

        /**
         * Lets every free slot take its next job. A slot that finds nothing at once (IDLE: no job to acquire, no check
         * due, nothing written) ends the round: the slots after it, at the same instant on the same unchanged
         * database, would find the same nothing, each at the cost of the same queries.
         */
        void kick() {
            for (int i = 0; i < busy.length; i++) {
                if (!busy[i] && next(i)) {
                    return;
                }
            }
        }

        /** Starts the slot's next job; whether it found nothing to do, at once. */
        private boolean next(int slot) {
            busy[slot] = true;
            CompletionStage<WorkerStep> next = jobs.runNext(new Worker("sim/w" + (slot + 1)));
            next.whenComplete((step, error) -> {
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
            return next instanceof CompletableFuture<WorkerStep> done && done.isDone() && !done.isCompletedExceptionally()
                    && done.join() == WorkerStep.IDLE;
        }
    }
}
