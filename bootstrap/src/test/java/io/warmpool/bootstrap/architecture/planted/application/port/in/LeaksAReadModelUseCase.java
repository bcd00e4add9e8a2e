package io.warmpool.bootstrap.architecture.planted.application.port.in;

import io.warmpool.bootstrap.architecture.planted.application.port.out.ReadModel;

/** Breaks "port.in does not depend on port.out": its result is an outbound read-model. */
public interface LeaksAReadModelUseCase {
    ReadModel status();
}
