package io.warmpool.bootstrap.architecture.planted.application.port.in;

/** A well-behaved use case: the planted outbound adapter calls it. */
public interface SomeUseCase {
    void run();
}
