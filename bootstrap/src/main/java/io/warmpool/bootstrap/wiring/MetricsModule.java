package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.db.JooqEventLogAdapter;
import io.warmpool.adapters.http.MetricsExposition;
import io.warmpool.adapters.metrics.PrometheusMetrics;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.bootstrap.BuildInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of SPEC §5 on Prometheus (adapters-metrics). Provides {@link PrometheusMetrics} (with the JVM's
 * metrics and {@code warmpool_build_info} from {@link BuildInfo}), {@link MetricsPort}, the {@link MetricsExposition} that the API's {@code /metrics} serves, and the
 * {@link EventSinkPort} that feeds both the database event log and the metrics. Needs the event log
 * ({@link JooqEventLogAdapter}, from adapters-db's {@code PostgresModule}).
 */
public final class MetricsModule extends AbstractModule {

    @Provides
    @Singleton
    PrometheusMetrics prometheus() {
        BuildInfo build = BuildInfo.current();
        return new PrometheusMetrics().withJvmMetrics().withBuildInfo(build.version(), build.revision());
    }

    @Provides
    MetricsPort metrics(PrometheusMetrics prometheus) {
        return prometheus;
    }

    @Provides
    @Singleton
    MetricsExposition exposition(PrometheusMetrics prometheus) {
        return new MetricsExposition() {
            @Override
            public String contentType() {
                return prometheus.contentType();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                prometheus.writeTo(out);
            }
        };
    }

    @Provides
    @Singleton
    EventSinkPort events(JooqEventLogAdapter log, PrometheusMetrics prometheus) {
        return new FanOut(List.of(log, prometheus));
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
                    LoggerFactory.getLogger(FanOut.class).warn("event sink failed: " + e.getMessage());
                }
            }
        }
    }
}
