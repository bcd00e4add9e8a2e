package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.http.HttpAddress;
import io.warmpool.adapters.http.MetricsExposition;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.bootstrap.BuildInfo;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * The inbound REST API and dashboard (adapters-http). Provides {@link ApiServer} (and the {@link RestApi} behind
 * it). Needs the use cases and the {@link Clock} ({@link CoreModule}), a {@link ReadinessCheck} (the database
 * module) and a {@link MetricsExposition} ({@link MetricsModule}): nothing of the database itself, so the API
 * installs beside any persistence.
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
    RestApi restApi(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                    ClaimPrebuildUseCase claim, PauseReconciliationUseCase pause, ReleaseWorkspaceUseCase release,
                    PresetHistoryUseCase history, CompleteBuildUseCase builds,
                    io.warmpool.application.port.in.MarkReadyUseCase ready, ReadinessCheck readiness,
                    MetricsExposition metrics, Clock clock) {
        return new RestApi(new HttpAddress(address.getHostString(), address.getPort()), http.limits(), http.tls(),
                http.allowedHosts(), new RestApi.UseCases(inspect, apply, operate, claim, pause, release, history, builds,
                ready),
                token,
                readiness, metrics, clock, new RestApi.Version(BuildInfo.current().version(), BuildInfo.current().revision()));
    }

    @Provides
    @Singleton
    ApiServer api(RestApi api, PublicBaseUrl publicUrl) {
        return new ApiServer() {
            @Override
            public void start() {
                api.start();
                publicUrl.listening(url());
            }

            @Override
            public String address() {
                return api.boundAddress().toString();
            }

            @Override
            public String url() {
                return http.scheme() + "://" + address();
            }

            @Override
            public String signInUrl() {
                return url() + "/?code=" + api.newSignInCode().code();
            }

            @Override
            public boolean reloadTls() {
                return api.reloadTls();
            }

            @Override
            public void close() {
                api.stop();
            }
        };
    }
}
