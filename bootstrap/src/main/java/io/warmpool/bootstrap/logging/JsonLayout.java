package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * {@code --log-format json}: one JSON object per line. Fields, in this order: {@code ts} (UTC, milliseconds),
 * {@code level}, {@code component} ({@link Components}), {@code logger}, {@code thread}, {@code message}; then the
 * record's own fields (numbers stay numbers) and the context fields ({@code pass}, {@code request}, {@code actor},
 * {@code job}, {@code build}, {@code preset}, {@code workspace}); then, for an exception, {@code error}
 * ({@code Class: message}, causes after {@code ; caused by }) and {@code stack}. A context field that would take
 * one of these names gets a trailing underscore.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> FIXED = Set.of("ts", "level", "component", "logger", "thread", "message", "error", "stack");

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", Fields.timestamp(event));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("component", Components.of(event.getLoggerName()));
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            for (Map.Entry<String, Object> e : Fields.context(event).entrySet()) {
                String name = FIXED.contains(e.getKey()) ? e.getKey() + "_" : e.getKey();
                Object v = e.getValue();
                if (v instanceof Integer || v instanceof Long || v instanceof Short) {
                    g.writeNumberField(name, ((Number) v).longValue());
                } else if (v instanceof BigInteger || v instanceof BigDecimal || v instanceof Double || v instanceof Float) {
                    g.writeFieldName(name);
                    g.writeNumber(v.toString());
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(name, b);
                } else {
                    g.writeStringField(name, String.valueOf(v));
                }
            }
            String error = Fields.error(event);
            if (error != null) {
                g.writeStringField("error", error);
                g.writeStringField("stack", Fields.stack(event));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Jackson escapes control characters (U+2028/9 are valid JSON and harmless inside a string): one line.
        return out.append('\n').toString();
    }
}
