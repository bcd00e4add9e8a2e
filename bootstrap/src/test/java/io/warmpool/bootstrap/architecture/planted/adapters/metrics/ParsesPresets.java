package io.warmpool.bootstrap.architecture.planted.adapters.metrics;

import io.warmpool.bootstrap.architecture.planted.adapters.presets.SomeFormat;

/** Breaks "adapter metrics depends on no other adapter nor bootstrap": only inbound adapters may use a file format. */
public final class ParsesPresets {
    SomeFormat format;
}
