package io.warmpool.bootstrap.architecture.planted.adapters.db;

import com.google.inject.Inject;

/** Breaks "outside bootstrap only Guice modules use Guice": an adapter that Guice constructs through {@code @Inject}. */
public final class InjectedAdapter {
    @Inject
    public InjectedAdapter() {
    }
}
