package io.warmpool.bootstrap.architecture.planted.adapters.http;

import io.warmpool.bootstrap.architecture.planted.adapters.metrics.SomeMetrics;

/** Breaks "adapter http depends on no other adapter but a file format nor bootstrap": it imports the metrics adapter. */
public final class ScrapesTheMetrics {
    SomeMetrics metrics;
}
