package io.warmpool.bootstrap.architecture.planted.application.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Allowed beside "application sees only the domain": the SLF4J API is the application's logging facade. */
public final class LogsThroughTheFacade {
    private static final Logger LOG = LoggerFactory.getLogger(LogsThroughTheFacade.class);

    void log() {
        MDC.put("preset", "t/p");
        LOG.atWarn().addKeyValue("k", 1).log("create failed");
    }
}
