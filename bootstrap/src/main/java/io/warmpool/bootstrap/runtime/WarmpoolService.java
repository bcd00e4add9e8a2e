package io.warmpool.bootstrap.runtime;

import com.google.inject.Injector;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.PruneEventsUseCase;
import io.warmpool.application.port.in.RecordPassUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The running service and its lifecycle: start the database and apply migrations, apply presets, start the
 * workers, the API and the reconcile loop; stop in reverse order (the loop finishes its pass and releases
 * the lock, workers finish their jobs within a bound, the embedded database stops cleanly).
 */
public final class WarmpoolService implements AutoCloseable {

    /** The presets applied at the first start when none are given. */
    public static final Path DEFAULT_PRESETS = Path.of("examples", "presets.yaml");

    private static final Logger LOG = Logger.getLogger(WarmpoolService.class.getName());

    private final Injector injector;
    private final Settings settings;
    private final LiveView view;
    private final String replica;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile ApiServer api;

    public WarmpoolService(Injector injector, Settings settings, LiveView view, String replica) {
        this.injector = injector;
        this.settings = settings;
        this.view = view;
        this.replica = replica;
    }

    /** Starts everything; on failure stops what had started and rethrows. */
    public void start() {
        try {
            PostgresDatabase db = injector.getInstance(PostgresDatabase.class);
            db.start();
            started.push(db);
            applyPresetsAtStart();
            WorkspaceProvisionerPort provisioner = injector.getInstance(WorkspaceProvisionerPort.class);
            if (provisioner instanceof AutoCloseable closeable) {
                started.push(closeable);
            }
            started.push(injector.getInstance(SystemTimer.class));
            WorkerPool workers = new WorkerPool(injector.getInstance(RunProvisionerJobsUseCase.class), replica,
                    settings.workers(), Duration.ofSeconds(1), settings.worker().heartbeatInterval(), Duration.ofSeconds(30));
            workers.start();
            started.push(workers);
            ApiServer server = injector.getInstance(ApiServer.class);
            server.start();
            started.push(server);
            api = server;
            LOG.info(() -> "API listening on http://" + server.address());
            view.signIn(server.signInUrl());
            InspectUseCase inspect = injector.getInstance(InspectUseCase.class);
            RecordPassUseCase history = injector.getInstance(RecordPassUseCase.class);
            PruneEventsUseCase retention = injector.getInstance(PruneEventsUseCase.class);
            ReconcileLoop loop = new ReconcileLoop(injector.getInstance(ReconcilePresetsUseCase.class),
                    injector.getInstance(NudgePort.class), settings.reconcileInterval(),
                    report -> afterPass(report, inspect, history, retention, workers));
            loop.start();
            started.push(loop);
            if (view.live()) {
                // Backoff countdowns tick every second between passes (no database read: the last status is redrawn).
                java.time.Clock clock = injector.getInstance(java.time.Clock.class);
                TimerPortTicker ticker = new TimerPortTicker(injector.getInstance(SystemTimer.class)
                        .every(Duration.ofSeconds(1), () -> view.tick(clock.instant())));
                started.push(ticker);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void afterPass(PassReport report, InspectUseCase inspect, RecordPassUseCase history,
                           PruneEventsUseCase retention, WorkerPool workers) {
        if (report.ran() && report.creates() + report.deletes() > 0) {
            workers.wakeUp();
        }
        try {
            // What the dashboard shows: the last pass and samples of the pools, shared by every replica.
            history.record(report, replica);
        } catch (RuntimeException e) {
            LOG.warning("could not record the pass for the dashboard: " + e.getMessage());
        }
        try {
            view.show(report, inspect.status());
        } catch (RuntimeException e) {
            LOG.warning("could not show the pools: " + e.getMessage());
        }
        try {
            // On the loop's thread, after the pass: never alongside a pass of this replica, and under the
            // reconciliation lock, so never alongside another's; bounded, so the next pass is not held up for long.
            retention.pruneIfDue();
        } catch (RuntimeException e) {
            LOG.warning("could not prune the event log: " + e.getMessage());
        }
    }

    private void applyPresetsAtStart() {
        Optional<Path> file = settings.presets();
        if (file.isEmpty()) {
            boolean empty = injector.getInstance(InspectUseCase.class).status().presets().isEmpty();
            if (!empty || !Files.isRegularFile(DEFAULT_PRESETS)) {
                return;
            }
            file = Optional.of(DEFAULT_PRESETS);
        }
        Path path = file.get();
        String yaml;
        try {
            yaml = TextInput.readFile(path, TextInput.MAX_PRESETS_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read presets file " + path + ": " + e.getMessage(), e);
        } catch (TextInput.RefusedException e) {
            throw new ConfigException(List.of(e.getMessage()));
        }
        ApplyPresetsUseCase.Applied applied = injector.getInstance(ApplyPresetsUseCase.class)
                .apply(PresetsYaml.parse(yaml, path.toString()));
        LOG.info(() -> "applied " + path + ": " + applied);
    }

    /** Where the API listens once started, e.g. {@code 127.0.0.1:8080} (the real port when 0 was asked for). */
    public String apiAddress() {
        ApiServer server = api;
        if (server == null) {
            throw new IllegalStateException("the service is not started");
        }
        return server.address();
    }

    /** A new one-time sign-in link of the dashboard once started. */
    public String signInUrl() {
        ApiServer server = api;
        if (server == null) {
            throw new IllegalStateException("the service is not started");
        }
        return server.signInUrl();
    }

    /** The injector, for tests and tools that need a use case of the running service. */
    public Injector injector() {
        return injector;
    }

    /** Stops in reverse order of start. Safe to call twice. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warning("stopping " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
            }
        }
    }

    /** Stops a periodic task when the service stops. */
    private record TimerPortTicker(io.warmpool.application.port.out.TimerPort.Cancellable task) implements AutoCloseable {
        @Override
        public void close() {
            task.cancel();
        }
    }

    /** The HTTP API's lifecycle, bound by the API module. */
    public interface ApiServer extends AutoCloseable {
        void start();

        /** The address it listens on, e.g. {@code 127.0.0.1:8080}. */
        String address();

        /** A new one-time sign-in link of the dashboard, {@code http://<address>/?code=…} (valid 10 minutes, once). */
        String signInUrl();

        @Override
        void close();
    }
}
