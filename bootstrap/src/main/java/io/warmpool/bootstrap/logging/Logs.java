package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * warmpool's logging, set up by bootstrap alone: SLF4J with Logback as the one backend, the libraries' own
 * {@code java.util.logging} bridged into it, one appender writing {@link TextLayout} or {@link JsonLayout} lines.
 * warmpool's loggers ({@code io.warmpool}) log at the chosen level; the libraries (Jetty, Javalin, HikariCP, Flyway,
 * the embedded PostgreSQL's helpers) at WARN and above only: their INFO start-up chatter says nothing an operator
 * acts on. The same defaults apply to every command before {@code run} applies its
 * settings ({@link DefaultConfigurator});
 * {@code -Dlogback.configurationFile=FILE} hands the whole configuration to that file instead.
 */
public final class Logs {

    /** The logger every warmpool class logs under; {@code --log-level} sets its level. */
    public static final String WARMPOOL = "io.warmpool";
    /** Set: the operator's own Logback file configures everything and {@link #configure} changes nothing. */
    static final String OPERATOR_FILE = "logback.configurationFile";

    private Logs() {
    }

    /** Routes the JDK's logging (the PostgreSQL driver, Guice) into SLF4J. Idempotent. */
    public static synchronized void bridgeJdkLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Replaces the whole logging configuration: {@code settings}' format and level, every line to {@code target}
     * (stderr for {@code run}; never closed here).
     */
    public static synchronized void configure(LogSettings settings, OutputStream target) {
        bridgeJdkLogging();
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context) || System.getProperty(OPERATOR_FILE) != null) {
            return;
        }
        apply(context, settings, target);
    }

    /**
     * Also hands every WARN and ERROR record, as a text line without its stack, to {@code sink} (the live view
     * keeps the last few under its table, where a redraw does not wipe them). Until the next {@link #configure}.
     */
    public static synchronized void tee(Consumer<String> sink) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        TextLayout layout = new TextLayout();
        layout.setContext(context);
        layout.start();
        UnsynchronizedAppenderBase<ILoggingEvent> appender = new UnsynchronizedAppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                    sink.accept(layout.doLayout(event).lines().findFirst().orElse(""));
                }
            }
        };
        appender.setContext(context);
        appender.setName("live-view");
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    /**
     * {@code simulate}: the simulated service's failed creates, hard limits and operator actions are the scenario's
     * outcomes, counted in its summary, not news for the operator who runs it; they are not logged.
     */
    public static synchronized void quietSimulatedOutcomes() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger("io.warmpool.application.service.BuildOutcomes").setLevel(Level.OFF);
            context.getLogger("io.warmpool.operator").setLevel(Level.OFF);
        }
    }

    static void apply(LoggerContext context, LogSettings settings, OutputStream target) {
        context.reset();
        // JUL's loggers follow Logback's levels, so a library's disabled JUL record is not even built.
        LevelChangePropagator jul = new LevelChangePropagator();
        jul.setContext(context);
        jul.setResetJUL(true);
        jul.start();
        context.addListener(jul);

        LayoutBase<ILoggingEvent> layout = settings.format() == LogSettings.Format.JSON ? new JsonLayout() : new TextLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.setLayout(layout);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("warmpool");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(new FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the target is the caller's (stderr): stopping the appender must not close it
            }
        });
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger(WARMPOOL).setLevel(settings.level());
    }
}
