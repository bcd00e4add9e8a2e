package io.warmpool.bootstrap.logging;

import ch.qos.logback.classic.Level;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import java.util.Locale;

/**
 * {@code --log-format} and {@code --log-level} as {@code run} reads them (flag, then {@code WARMPOOL_LOG_*}, then
 * {@code warmpool.yaml}, then the default).
 *
 * @param format the line format
 * @param level  the level of warmpool's own loggers ({@code io.warmpool}); libraries log WARN and above
 */
public record LogSettings(Format format, Level level) {

    /** What {@code run} uses when nothing is set, and what every other command logs with. */
    public static final LogSettings DEFAULTS = new LogSettings(Format.TEXT, Level.INFO);

    /** The two line formats. */
    public enum Format {
        /** One line per record: {@link TextLayout}. */
        TEXT,
        /** One JSON object per line: {@link JsonLayout}. */
        JSON
    }

    public static LogSettings from(Config config) {
        String format = config.string(Setting.LOG_FORMAT).strip().toLowerCase(Locale.ROOT);
        Format f = switch (format) {
            case "text" -> Format.TEXT;
            case "json" -> Format.JSON;
            default -> throw config.problem(Setting.LOG_FORMAT, "must be text or json, got '" + format + "'");
        };
        String level = config.string(Setting.LOG_LEVEL).strip().toLowerCase(Locale.ROOT);
        Level l = switch (level) {
            case "error" -> Level.ERROR;
            case "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw config.problem(Setting.LOG_LEVEL, "must be one of error, warn, info, debug, trace, got '"
                    + level + "'");
        };
        return new LogSettings(f, l);
    }
}
