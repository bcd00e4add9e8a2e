package io.warmpool.bootstrap.architecture.planted.application.port.out;

/** A read-model of an outbound port; the planted use case leaks it. */
public record ReadModel(String name) {
}
