package io.warmpool.distribution;

import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The source tree under test ({@code warmpool.root}, else the parent of the working directory) and readers for it. */
final class Repo {

    /** Options of {@code run} that are not settings: {@code --config FILE}. */
    static final Set<String> RUN_OPTIONS = Set.of("config");

    private Repo() {
    }

    static Path root() {
        return Path.of(System.getProperty("warmpool.root", "..")).toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML file. */
    static List<Object> yamlDocuments(Path file) {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadAllFromString(read(file))
                .forEach(d -> {
                    if (d != null) {
                        docs.add(d);
                    }
                });
        return docs;
    }

    static Object yaml(String text) {
        return new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    /** {@code map.get(k1).get(k2)…}, failing with the path when a step is missing or not a map. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... keys) {
        Object current = node;
        StringBuilder where = new StringBuilder();
        for (String key : keys) {
            where.append('.').append(key);
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new AssertionError("missing " + where);
            }
            current = map.get(key);
        }
        return (T) current;
    }

    @SuppressWarnings("unchecked")
    static <T> Optional<T> optional(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return Optional.empty();
            }
            current = map.get(key);
        }
        return Optional.ofNullable((T) current);
    }

    /**
     * A {@code run} command line after the word {@code run}: {@code --key value} or {@code --key=value} pairs. Every
     * key must be a setting (or {@code --config}), else an AssertionError names it.
     *
     * @return the settings by key, {@code config} included when given
     */
    static Map<String, String> runFlags(List<String> args, String where) {
        Map<String, String> flags = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new AssertionError(where + ": '" + a + "' is not a --flag of run (in " + args + ")");
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (i + 1 >= args.size()) {
                    throw new AssertionError(where + ": " + a + " has no value");
                }
                value = args.get(++i);
            }
            if (Setting.byKey(key).isEmpty() && !RUN_OPTIONS.contains(key)) {
                throw new AssertionError(where + ": --" + key + " is not a warmpool setting");
            }
            flags.put(key, value);
        }
        return flags;
    }

    /**
     * What {@code warmpool run} makes of these flags, environment and configuration file: the real loader and the
     * real validation ({@link Settings#from}). Throws {@link io.warmpool.bootstrap.config.ConfigException} naming
     * each bad value or unknown key.
     */
    static Settings settings(Map<String, String> flags, Map<String, String> env, Path configFile) {
        Map<Setting, String> bySetting = new EnumMap<>(Setting.class);
        flags.forEach((k, v) -> Setting.byKey(k).ifPresent(s -> bySetting.put(s, v)));
        return Settings.from(Config.load(bySetting, env, configFile));
    }

    /** The setting of a {@code WARMPOOL_*} variable, if it is one. */
    static Optional<Setting> settingOfVariable(String name) {
        for (Setting s : Setting.values()) {
            if (s.envName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
