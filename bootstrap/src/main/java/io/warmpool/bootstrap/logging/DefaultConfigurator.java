package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration when it first starts (found as a service, {@code META-INF/services}): warmpool's defaults
 * ({@link LogSettings#DEFAULTS}: text lines on stderr, warmpool at INFO, the libraries at WARN) for every command and
 * for the tests, until {@code run} applies {@code --log-format} and {@code --log-level}. With
 * {@code -Dlogback.configurationFile=FILE} it steps aside and Logback reads that file.
 */
public final class DefaultConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(Logs.OPERATOR_FILE) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logs.apply(context, LogSettings.DEFAULTS, System.err);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
