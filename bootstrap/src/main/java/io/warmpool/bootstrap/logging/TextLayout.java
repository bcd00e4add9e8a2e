package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.util.Map;

/**
 * {@code --log-format text}, the default: one line per record,
 * {@code 2026-12-05T21:40:00.007Z INFO  reconcile  pass presets=3 … pass=17} — the UTC instant with milliseconds,
 * the level padded to 5, the component ({@link Components}) padded to 10, the message, then the record's fields
 * and its context (MDC) as {@code key=value}, quoted when a value has a space, a quote or an {@code =}. Control
 * characters in the message and the values are escaped ({@code \n}), so no text can start a line of its own. An
 * exception adds {@code error="Class: message"}, and its stack follows on lines that start with a tab.
 */
public final class TextLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(Fields.timestamp(event)).append(' ');
        pad(sb, event.getLevel().toString(), 5);
        pad(sb, Components.of(event.getLoggerName()), 10);
        escape(sb, event.getFormattedMessage());
        for (Map.Entry<String, Object> e : Fields.context(event).entrySet()) {
            sb.append(' ').append(e.getKey()).append('=');
            value(sb, String.valueOf(e.getValue()));
        }
        String error = Fields.error(event);
        if (error != null) {
            sb.append(" error=");
            value(sb, error);
        }
        sb.append('\n');
        String stack = Fields.stack(event);
        if (stack != null) {
            // Java's own shape, which log shippers join to the line above: every stack line starts with a tab.
            stack.lines().forEach(l -> sb.append(l.startsWith("\t") ? "" : "\t").append(l).append('\n'));
        }
        return sb.toString();
    }

    private static void pad(StringBuilder sb, String text, int width) {
        sb.append(text);
        for (int i = text.length(); i < width; i++) {
            sb.append(' ');
        }
        sb.append(' ');
    }

    static void value(StringBuilder sb, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c == ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                escapeChar(sb, c);
            }
        }
        sb.append('"');
    }

    static void escape(StringBuilder sb, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            escapeChar(sb, text.charAt(i));
        }
    }

    private static void escapeChar(StringBuilder sb, char c) {
        switch (c) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> {
                if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
        }
    }
}
