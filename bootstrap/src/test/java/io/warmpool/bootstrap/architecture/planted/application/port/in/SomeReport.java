package io.warmpool.bootstrap.architecture.planted.application.port.in;

/** A value of port.in that an outbound port may carry (as MetricsPort carries PassReport): using it is no call. */
public record SomeReport(int count) {
}
