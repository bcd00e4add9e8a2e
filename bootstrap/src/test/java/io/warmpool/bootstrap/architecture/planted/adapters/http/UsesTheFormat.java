package io.warmpool.bootstrap.architecture.planted.adapters.http;

import io.warmpool.bootstrap.architecture.planted.adapters.presets.SomeFormat;

/** Allowed: an inbound adapter reads a file format (the one exception to "adapters never import each other"). */
public final class UsesTheFormat {
    SomeFormat format;
}
