package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.event.KeyValuePair;

/** What both formats take from a record: the instant, the context fields in a stable order, the error. */
final class Fields {

    private Fields() {
    }

    /** The context fields warmpool sets, in the order they are shown; any other MDC key follows, sorted. */
    static final List<String> CONTEXT = List.of("pass", "request", "actor", "job", "build", "preset", "workspace");

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** {@code 2026-12-05T21:40:00.007Z}: UTC, always milliseconds. */
    static String timestamp(ILoggingEvent event) {
        return TS.format(Instant.ofEpochMilli(event.getTimeStamp()));
    }

    /** The record's own key-value pairs first (their values as given), then the MDC's in {@link #CONTEXT} order. */
    static Map<String, Object> context(ILoggingEvent event) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                if (p.key != null) {
                    out.put(p.key, p.value);
                }
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            for (String key : CONTEXT) {
                String value = mdc.get(key);
                if (value != null) {
                    out.putIfAbsent(key, value);
                }
            }
            new TreeMap<>(mdc).forEach((k, v) -> {
                if (!CONTEXT.contains(k) && v != null) {
                    out.putIfAbsent(k, v);
                }
            });
        }
        return out;
    }

    /** {@code java.lang.IllegalStateException: boom; caused by java.io.IOException: gone}, or null. */
    static String error(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        if (t == null) {
            return null;
        }
        List<String> chain = new ArrayList<>();
        for (IThrowableProxy c = t; c != null && chain.size() < 5; c = c.getCause()) {
            chain.add(c.getClassName() + (c.getMessage() == null ? "" : ": " + c.getMessage()));
        }
        return String.join("; caused by ", chain);
    }

    /** The whole stack trace (causes included), or null. */
    static String stack(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        return t == null ? null : ThrowableProxyUtil.asString(t);
    }
}
