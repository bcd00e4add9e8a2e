package io.warmpool.bootstrap.architecture.planted.adapters.provisioner;

import io.warmpool.bootstrap.architecture.planted.application.port.in.SomeUseCase;

/** Breaks "outbound adapters do not call use cases". */
public final class CallsAUseCase {
    void call(SomeUseCase useCase) {
        useCase.run();
    }
}
