package io.warmpool.bootstrap.architecture.planted.adapters.presets;

/** A well-behaved file format: inbound adapters may use it, outbound ones may not. */
public final class SomeFormat {
}
