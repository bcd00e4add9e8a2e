package io.warmpool.bootstrap.architecture.planted.application.wiring;

import com.google.inject.AbstractModule;
import io.warmpool.bootstrap.architecture.planted.application.port.in.SomeUseCase;
import io.warmpool.bootstrap.architecture.planted.application.service.SomeService;

/** The application's module binding its use case to its service: the one place Guice is allowed in the application. */
public final class SomeModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SomeUseCase.class).to(SomeService.class);
    }
}
