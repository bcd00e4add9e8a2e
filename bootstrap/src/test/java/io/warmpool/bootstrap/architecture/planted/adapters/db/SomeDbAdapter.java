package io.warmpool.bootstrap.architecture.planted.adapters.db;

/** A well-behaved adapter; other planted classes reach into it. */
public class SomeDbAdapter {
}
