package io.warmpool.bootstrap.architecture.planted.adapters.db;

import com.google.inject.AbstractModule;

/** Breaks "only bootstrap uses Guice": an adapter binding itself. */
public final class BindsItself extends AbstractModule {
}
