package io.warmpool.bootstrap.architecture.planted.adapters.provisioner;

import io.warmpool.bootstrap.architecture.planted.application.port.in.SomeReport;
import io.warmpool.bootstrap.architecture.planted.application.port.in.SomeUseCase;

/** Breaks "outbound adapters do not call use cases"; reading {@link SomeReport}, a value, is allowed. */
public final class CallsAUseCase {
    void call(SomeUseCase useCase) {
        useCase.run();
    }

    int read(SomeReport report) {
        return report.count();
    }
}
