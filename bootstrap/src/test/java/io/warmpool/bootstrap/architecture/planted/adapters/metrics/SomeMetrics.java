package io.warmpool.bootstrap.architecture.planted.adapters.metrics;

/** A well-behaved outbound adapter; the planted inbound adapter reaches into it. */
public final class SomeMetrics {
}
