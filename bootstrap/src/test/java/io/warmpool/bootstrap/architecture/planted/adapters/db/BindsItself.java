package io.warmpool.bootstrap.architecture.planted.adapters.db;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/** An adapter's own module, next to the package-private adapter it binds: allowed. */
public final class BindsItself extends AbstractModule {
    @Provides
    SomeDbAdapter adapter() {
        return new SomeDbAdapter();
    }
}
