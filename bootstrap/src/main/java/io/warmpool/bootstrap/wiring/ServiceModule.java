package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.PruneEventsUseCase;
import io.warmpool.application.port.in.RecordPassUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.service.ClaimPrebuildService;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.bootstrap.runtime.AfterPass;
import io.warmpool.bootstrap.runtime.ClusterPassReadiness;
import io.warmpool.bootstrap.runtime.ReplicaReadiness;
import io.warmpool.bootstrap.runtime.Lifecycle;
import io.warmpool.bootstrap.runtime.LiveTicker;
import io.warmpool.bootstrap.runtime.LiveView;
import io.warmpool.bootstrap.runtime.PresetsAtStart;
import io.warmpool.bootstrap.runtime.PublishedApi;
import io.warmpool.bootstrap.runtime.ReconcileLoop;
import io.warmpool.bootstrap.runtime.SystemTimer;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import io.warmpool.bootstrap.runtime.WorkerPool;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * The running service: its long-running parts, registered in one {@code Multibinder<Lifecycle>} in the order they
 * start — the database, the presets applied at start, the provisioner ({@link ProvisionerLifecycle}, whatever its
 * kind), the timer, the workers, the waiting claims, the API (with the sign-in link), the reconcile loop, the live view's ticker — and
 * {@link WarmpoolService}, which starts them in that order and stops them in reverse. This is the one place the
 * order is written.
 *
 * <p>Provides: {@link WarmpoolService}, {@code Set<Lifecycle>}, {@link WorkerPool}, {@link ReconcileLoop}, and the parts of
 * {@code /readyz} beyond the database ({@link ReadinessParts}: {@link ReplicaReadiness}, {@link ClusterPassReadiness}).
 * Needs: {@link Settings} and {@link SystemTimer} (CoreModule), the use cases (ApplicationModule), a
 * {@link PostgresDatabase}, a {@link ProvisionerLifecycle}, {@link NudgePort} and an {@link ApiServer}.
 */
public final class ServiceModule extends AbstractModule {

    private final LiveView view;
    private final String replica;

    /**
     * @param view    the console: the banner, the sign-in link, the pools after each pass
     * @param replica this process's name among the replicas (its workers' ids, its passes in the history)
     */
    public ServiceModule(LiveView view, String replica) {
        this.view = view;
        this.replica = replica;
    }

    @Override
    protected void configure() {
        bind(LiveView.class).toInstance(view);
        Multibinder<Lifecycle> parts = Multibinder.newSetBinder(binder(), Lifecycle.class);
        // The start order; stopping goes the other way: the loop finishes its pass and releases the lock, the API
        // closes, the workers finish their jobs within the bound, the database stops last.
        parts.addBinding().to(DatabaseLifecycle.class);
        parts.addBinding().to(PresetsAtStart.class);
        parts.addBinding().to(Key.get(Lifecycle.class, ProvisionerLifecycle.class));
        parts.addBinding().to(TimerLifecycle.class);
        parts.addBinding().to(WorkerPool.class);
        parts.addBinding().to(WaitingClaimsLifecycle.class);
        parts.addBinding().to(PublishedApi.class);
        parts.addBinding().to(ReconcileLoop.class);
        parts.addBinding().to(LiveTicker.class);
        // /readyz, after the database: this replica's loop and workers run, and some replica ran a pass lately.
        Multibinder<ReadinessCheck> readiness = Multibinder.newSetBinder(binder(), ReadinessCheck.class, ReadinessParts.class);
        readiness.addBinding().to(ReplicaReadiness.class);
        readiness.addBinding().to(ClusterPassReadiness.class);
    }

    @Provides
    @Singleton
    ReplicaReadiness replicaReadiness(ReconcileLoop loop, WorkerPool workers) {
        return new ReplicaReadiness(loop, workers);
    }

    @Provides
    @Singleton
    ClusterPassReadiness clusterPassReadiness(PresetHistoryUseCase history, PauseReconciliationUseCase pause, Clock clock,
                                              ReconcileLoop loop) {
        return new ClusterPassReadiness(history, pause, clock, loop.interval(), loop::startedAt);
    }

    /** The database: starting it starts the embedded server if any, opens the pool and migrates; stopping closes all. */
    record DatabaseLifecycle(PostgresDatabase database) implements Lifecycle {
        @Override
        public void start() {
            database.start();
        }

        @Override
        public void stop() {
            database.close();
        }

        @Override
        public String toString() {
            return "database";
        }
    }

    /** The timer's thread (heartbeats, the live view's ticks); it runs once built. */
    record TimerLifecycle(SystemTimer timer) implements Lifecycle {
        @Override
        public void start() {
            // its thread starts with the first task
        }

        @Override
        public void stop() {
            timer.close();
        }

        @Override
        public String toString() {
            return "timer";
        }
    }

    /**
     * The waiting claims (SPEC R12 {@code wait}): their thread and listening connection open with the first waiter;
     * stopping (after the API closed, before the database) answers every claim still waiting and removes its row.
     */
    record WaitingClaimsLifecycle(ClaimPrebuildService claims) implements Lifecycle {
        @Override
        public void start() {
            // opened with the first waiting claim
        }

        @Override
        public void stop() {
            claims.close();
        }

        @Override
        public String toString() {
            return "waiting claims";
        }
    }

    @Provides
    @Singleton
    WaitingClaimsLifecycle waitingClaims(ClaimPrebuildService claims) {
        return new WaitingClaimsLifecycle(claims);
    }

    @Provides
    @Singleton
    DatabaseLifecycle database(PostgresDatabase database) {
        return new DatabaseLifecycle(database);
    }

    @Provides
    @Singleton
    TimerLifecycle timer(SystemTimer timer) {
        return new TimerLifecycle(timer);
    }

    @Provides
    @Singleton
    WarmpoolService service(Set<Lifecycle> parts, PublishedApi api, Injector injector) {
        return new WarmpoolService(List.copyOf(parts), api, injector);
    }

    @Provides
    @Singleton
    PresetsAtStart presets(Settings settings, InspectUseCase inspect, ApplyPresetsUseCase apply) {
        return new PresetsAtStart(settings.presets(), inspect, apply);
    }

    @Provides
    @Singleton
    WorkerPool workers(RunProvisionerJobsUseCase jobs, ClaimPrebuildUseCase claims, Settings settings) {
        return new WorkerPool(jobs, replica, settings.workers(), settings.workerIdlePoll(),
                settings.worker().heartbeatInterval(), settings.stopBound()).alsoReaping(claims::reapStaleHandoffs);
    }

    @Provides
    @Singleton
    PublishedApi api(ApiServer server) {
        return new PublishedApi(server, view);
    }

    @Provides
    @Singleton
    ReconcileLoop loop(ReconcilePresetsUseCase reconcile, NudgePort nudges, Settings settings, WorkerPool workers,
                       RecordPassUseCase history, InspectUseCase inspect, PruneEventsUseCase retention, Clock clock) {
        return new ReconcileLoop(reconcile, nudges, settings.reconcileInterval(),
                new AfterPass(workers, history, inspect, retention, view, replica), settings.stopBound(), clock);
    }

    @Provides
    @Singleton
    LiveTicker ticker(SystemTimer timer, Clock clock) {
        return new LiveTicker(view, timer, clock);
    }
}
