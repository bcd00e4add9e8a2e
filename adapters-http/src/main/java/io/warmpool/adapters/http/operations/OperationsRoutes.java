package io.warmpool.adapters.http.operations;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.warmpool.adapters.http.MetricsExposition;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators and orchestrators poll, without a token: {@code /healthz} (liveness), {@code /readyz}
 * (readiness, from the {@link ReadinessCheck} bootstrap supplies) and {@code /metrics} (Prometheus text, from the {@link MetricsExposition} bootstrap supplies).
 */
public final class OperationsRoutes implements Resource {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsRoutes.class);

    private final ReadinessCheck readiness;
    private final MetricsExposition metrics;

    public OperationsRoutes(ReadinessCheck readiness, MetricsExposition metrics) {
        this.readiness = readiness;
        this.metrics = metrics;
    }

    record HealthView(String status) {
    }

    record ReadyView(boolean ready, String detail) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/healthz", this::healthz);
        routes.get("/readyz", ctx -> {
            ReadinessCheck.Result result = probe("readiness", readiness::check,
                    ReadinessCheck.Result.notReady("readiness check failed; see the service log"));
            Json.send(ctx, result.ready() ? 200 : 503, new ReadyView(result.ready(), result.detail()));
        });
        routes.get("/metrics", this::metrics);
    }

    private void healthz(Context ctx) {
        // A failing liveness check must not get the service restarted: only a definite "not live" does.
        ReadinessCheck.Result result = probe("liveness", readiness::live, ReadinessCheck.Result.ready("ok"));
        if (result.ready()) {
            Json.send(ctx, 200, new HealthView("ok"));
        } else {
            Json.send(ctx, 503, new ReadyView(false, result.detail()));
        }
    }

    /** One probe's answer; a probe that throws is logged and answered with {@code onFailure}. */
    private static ReadinessCheck.Result probe(String what, Supplier<ReadinessCheck.Result> check,
                                               ReadinessCheck.Result onFailure) {
        try {
            return Objects.requireNonNull(check.get(), what + " result");
        } catch (RuntimeException e) {
            LOG.warn(what + " check failed", e);
            return onFailure;
        }
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.writeTo(out);
        ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
    }
}
