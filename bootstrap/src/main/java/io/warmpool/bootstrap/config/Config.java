package io.warmpool.bootstrap.config;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.domain.Durations;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Resolved configuration: flags &gt; {@code WARMPOOL_*} environment &gt; {@code warmpool.yaml} &gt; defaults.
 * Typed getters validate on use and name the setting and the source of the bad value.
 */
public final class Config {

    /** Where a value came from, for error messages. */
    public enum Source { FLAG, ENVIRONMENT, FILE, DEFAULT }

    private record Value(String text, Source source) {
    }

    private final Map<Setting, Value> values;
    private final Path file;
    private final Set<String> warnings = java.util.Collections.synchronizedSet(new LinkedHashSet<>());

    private Config(Map<Setting, Value> values, Path file) {
        this.values = values;
        this.file = file;
    }

    /**
     * @param flags flags given on the command line, by setting
     * @param env   the process environment
     * @param file  {@code warmpool.yaml}, read when it exists
     * @throws ConfigException naming each unknown key or unreadable value
     */
    public static Config load(Map<Setting, String> flags, Map<String, String> env, Path file) {
        List<String> problems = new ArrayList<>();
        Map<String, String> fromFile = file != null && Files.isRegularFile(file) ? readFile(file, problems) : Map.of();
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            if (flags.containsKey(s)) {
                values.put(s, new Value(flags.get(s), Source.FLAG));
            } else if (env.containsKey(s.envName())) {
                values.put(s, new Value(env.get(s.envName()), Source.ENVIRONMENT));
            } else if (fromFile.containsKey(s.key())) {
                values.put(s, new Value(fromFile.get(s.key()), Source.FILE));
            } else {
                s.defaultValue().ifPresent(d -> values.put(s, new Value(d, Source.DEFAULT)));
            }
        }
        for (String key : fromFile.keySet()) {
            if (Setting.byKey(key).isEmpty()) {
                problems.add(file + ": unknown setting '" + key + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(values, file);
    }

    private static Map<String, String> readFile(Path file, List<String> problems) {
        try {
            Object root = YamlText.load(TextInput.readFile(file, TextInput.MAX_CONFIG_BYTES), file.toString());
            if (root == null) {
                return Map.of();
            }
            if (!(root instanceof Map<?, ?> map)) {
                problems.add(file + ": must be a map of setting: value");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof List<?> list ? toJsonList(list) : String.valueOf(v)));
            return out;
        } catch (java.io.IOException e) {
            problems.add(file + ": cannot be read: " + TextInput.reason(e));
        } catch (TextInput.RefusedException e) {
            problems.add(e.getMessage());
        } catch (YamlEngineException e) {
            problems.add(file + ": is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return Map.of();
    }

    private static String toJsonList(List<?> list) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"')
                    .append(String.valueOf(list.get(i)).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(']').toString();
    }

    /** The raw text of a setting, if set or defaulted. */
    public Optional<String> text(Setting s) {
        Value v = values.get(s);
        return v == null || v.text().isBlank() ? Optional.empty() : Optional.of(v.text().trim());
    }

    /** Where the setting's value came from (DEFAULT also when unset). */
    public Source source(Setting s) {
        Value v = values.get(s);
        return v == null ? Source.DEFAULT : v.source();
    }

    public String string(Setting s) {
        return text(s).orElseThrow(() -> problem(s, "is required"));
    }

    /** The longest duration any setting accepts: far beyond any sensible value, far from overflowing arithmetic. */
    public static final Duration MAX_DURATION = Duration.ofDays(3650);

    public Duration duration(Setting s) {
        String t = string(s);
        Duration d;
        try {
            d = Durations.parse(t);
        } catch (IllegalArgumentException e) {
            throw problem(s, e.getMessage());
        }
        // Millisecond arithmetic on a longer one (an interval added to an instant, a timeout in ms) overflows.
        if (d.compareTo(MAX_DURATION) > 0) {
            throw problem(s, "must be at most 3650d, got " + t);
        }
        return d;
    }

    public Duration positiveDuration(Setting s) {
        Duration d = duration(s);
        if (d.isZero() || d.isNegative()) {
            throw problem(s, "must be more than 0, got " + text(s).orElse(""));
        }
        return d;
    }

    public int integer(Setting s, int min, int max) {
        String t = string(s);
        try {
            int v = Integer.parseInt(t);
            if (v < min || v > max) {
                throw problem(s, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw problem(s, "must be a whole number, got '" + t + "'");
        }
    }

    public BigDecimal decimal(Setting s) {
        String t = string(s);
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            throw problem(s, "must be a decimal number such as 1.5, got '" + t + "'");
        }
    }

    /** One of {@code allowed} (lowercase). */
    public String choice(Setting s, String... allowed) {
        String t = string(s).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(t)) {
                return t;
            }
        }
        throw problem(s, "must be one of " + String.join(", ", allowed) + ", got '" + text(s).orElse("") + "'");
    }

    public Path path(Setting s) {
        String t = string(s);
        try {
            return Path.of(t);
        } catch (java.nio.file.InvalidPathException e) {
            throw problem(s, "is not a valid path: " + e.getReason());
        }
    }

    /** The file this configuration read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file).filter(Files::isRegularFile);
    }

    /** A ConfigException naming the setting, its source and (unless secret) its value. */
    public ConfigException problem(Setting s, String message) {
        return new ConfigException(List.of(where(s) + ": " + message));
    }

    /** How messages name a setting: the flag, the variable or the file's key, whichever gave its value. */
    public String where(Setting s) {
        return switch (source(s)) {
            case FLAG -> s.flag();
            case ENVIRONMENT -> s.envName();
            case FILE -> file + ": " + s.key();
            case DEFAULT -> s.flag() + " (default)";
        };
    }

    /**
     * A secret ({@link Setting#secret()}): its value, or the content of the file its {@link Setting#secretFile()}
     * names, read now (at most {@link TextInput#MAX_SECRET_BYTES}, UTF-8, trailing line breaks dropped). A file
     * readable by group or others adds a {@link #warnings() warning} — the secret's file, or {@code warmpool.yaml}
     * when that holds the secret itself. No message ever carries the secret.
     *
     * @throws ConfigException when both the value and the file are set (whatever their sources: which one was meant
     *     cannot be guessed), or when the file is missing, unreadable, empty, too large, not text or has more than
     *     one line
     */
    public Optional<String> secret(Setting s) {
        Setting fileSetting = s.secretFile().orElseThrow(() -> new IllegalArgumentException(s.flag() + " has no file setting"));
        Optional<String> direct = text(s);
        if (text(fileSetting).isEmpty()) {
            if (direct.isPresent() && source(s) == Source.FILE) {
                // warmpool.yaml holding the secret itself is a secret file too.
                warnIfShared(s, file);
            }
            return direct;
        }
        if (direct.isPresent()) {
            throw new ConfigException(List.of(where(s) + " and " + where(fileSetting)
                    + " are both set: give the secret one way only (the file is safer)"));
        }
        Path path = path(fileSetting);
        String content = textFile(fileSetting, TextInput.MAX_SECRET_BYTES);
        int end = content.length();
        while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
            end--;
        }
        String secret = content.substring(0, end);
        if (secret.isBlank()) {
            throw problem(fileSetting, path + " is empty");
        }
        if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
            throw problem(fileSetting, path + " must hold the secret on one line, and only the secret");
        }
        warnIfShared(fileSetting, path);
        return Optional.of(secret);
    }

    /**
     * The content of the text file a setting names, read through the one bounded reader.
     *
     * @throws ConfigException naming the setting and the file when it is missing, unreadable, larger than
     *     {@code maxBytes} or not text
     */
    public String textFile(Setting s, long maxBytes) {
        Path path = path(s);
        try {
            return TextInput.readFile(path, maxBytes);
        } catch (java.io.IOException e) {
            throw problem(s, path + " cannot be read: " + TextInput.reason(e));
        } catch (TextInput.RefusedException e) {
            throw problem(s, e.getMessage());
        }
    }

    /** Warnings found while reading settings (never carrying a secret), in the order found. */
    public List<String> warnings() {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    /**
     * Adds a {@link #warnings() warning} when {@code path} (a private key) is readable by every user; group-readable
     * is left alone (e.g. Debian's {@code ssl-cert} group).
     */
    public void warnIfReadableByOthers(Setting fileSetting, Path path) {
        try {
            if (Files.getPosixFilePermissions(path).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                warnings.add(where(fileSetting) + ": " + path + " is readable by every user of this machine; chmod o-r it");
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or unreadable (reported when it is read): nothing to say
        }
    }

    private void warnIfShared(Setting fileSetting, Path path) {
        Set<java.nio.file.attribute.PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to say
        }
        if (permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
            warnings.add(where(fileSetting) + ": " + path + " is readable by other users ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "); chmod 600 it");
        }
    }
}
