package io.warmpool.bootstrap.architecture.planted.application.service;

import io.warmpool.bootstrap.architecture.planted.application.port.in.SomeUseCase;

/** A service; the planted HTTP adapter calls it directly. */
public class SomeService implements SomeUseCase {
    @Override
    public void run() {
    }
}
