package io.warmpool.bootstrap.architecture.planted.application.service;

import com.google.inject.Inject;

/** Breaks "application uses Guice only in its wiring": a service that Guice constructs through {@code @Inject}. */
public final class InjectedService {
    @Inject
    public InjectedService() {
    }
}
