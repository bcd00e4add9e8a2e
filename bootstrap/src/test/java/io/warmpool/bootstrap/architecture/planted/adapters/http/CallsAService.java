package io.warmpool.bootstrap.architecture.planted.adapters.http;

import io.warmpool.bootstrap.architecture.planted.application.service.SomeService;

/** Breaks "adapters do not depend on services". */
public final class CallsAService {
    void call() {
        new SomeService().run();
    }
}
