package io.warmpool.bootstrap.architecture.planted.application.service;

/** Breaks "application sees only the domain": the logging backend is bootstrap's choice, the application sees SLF4J only. */
public final class LogsThroughTheBackend {
    ch.qos.logback.classic.Logger logger;
}
