package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.db.JooqEventLogAdapter;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.adapters.http.HttpAddress;
import io.warmpool.adapters.http.PrometheusMetrics;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;

/**
 * The inbound REST API and the Prometheus metrics (adapters-http). Provides {@link ApiServer} (and the
 * {@link RestApi} behind it),
 * {@link MetricsPort}, and the {@link EventSinkPort} that feeds both the database event log and the metrics.
 */
public final class HttpApiModule extends AbstractModule {

    private final InetSocketAddress address;
    private final HttpServerSettings http;
    private final String token;

    public HttpApiModule(InetSocketAddress address, HttpServerSettings http, String token) {
        this.address = address;
        this.http = http;
        this.token = token;
    }

    @Provides
    @Singleton
    PrometheusMetrics prometheus() {
        return new PrometheusMetrics().withJvmMetrics();
    }

    @Provides
    MetricsPort metrics(PrometheusMetrics prometheus) {
        return prometheus;
    }

    @Provides
    @Singleton
    EventSinkPort events(JooqEventLogAdapter log, PrometheusMetrics prometheus) {
        return new FanOut(List.of(log, prometheus));
    }

    @Provides
    @Singleton
    RestApi restApi(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                    ClaimPrebuildUseCase claim, PauseReconciliationUseCase pause, ReleaseWorkspaceUseCase release,
                    PresetHistoryUseCase history, PostgresDatabase database, PrometheusMetrics prometheus, Clock clock) {
        ReadinessCheck readiness = new ReadinessCheck() {
            @Override
            public Result check() {
                // A restarting embedded server is known down: answer at once instead of waiting for a connection.
                var embedded = database.embeddedHealth();
                if (embedded.isPresent() && !embedded.get().up()) {
                    return Result.notReady(embedded.get().detail());
                }
                return database.isReachable()
                        ? Result.ready("database reachable, migrations applied")
                        : Result.notReady("database unreachable");
            }

            @Override
            public Result live() {
                var embedded = database.embeddedHealth();
                return embedded.isPresent() && embedded.get().state() == EmbeddedPostgresServer.State.FAILED
                        ? Result.notReady(embedded.get().detail())
                        : Result.ready("ok");
            }
        };
        return new RestApi(new HttpAddress(address.getHostString(), address.getPort()), http.limits(),
                http.allowedHosts(), new RestApi.UseCases(inspect, apply, operate, claim, pause, release, history), token,
                readiness, prometheus.registry(), clock);
    }

    @Provides
    @Singleton
    ApiServer api(RestApi api) {
        return new ApiServer() {
            @Override
            public void start() {
                api.start();
            }

            @Override
            public String address() {
                return api.boundAddress().toString();
            }

            @Override
            public String signInUrl() {
                return "http://" + address() + "/?code=" + api.newSignInCode().code();
            }

            @Override
            public void close() {
                api.stop();
            }
        };
    }

    /** Publishes every batch to each sink in turn; a sink that throws never stops the others. */
    static final class FanOut implements EventSinkPort {
        private final List<EventSinkPort> sinks;

        FanOut(List<EventSinkPort> sinks) {
            this.sinks = List.copyOf(sinks);
        }

        @Override
        public void publish(List<Event> events) {
            for (EventSinkPort sink : sinks) {
                try {
                    sink.publish(events);
                } catch (RuntimeException e) {
                    java.util.logging.Logger.getLogger(FanOut.class.getName()).warning("event sink failed: " + e.getMessage());
                }
            }
        }
    }
}
