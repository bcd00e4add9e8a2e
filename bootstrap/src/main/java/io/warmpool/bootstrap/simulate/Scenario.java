package io.warmpool.bootstrap.simulate;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.config.SimulatedProvisionerYaml;
import io.warmpool.bootstrap.config.YamlText;
import io.warmpool.domain.Durations;
import io.warmpool.domain.PresetRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A simulator scenario (SPEC §5 Simulator):
 * <pre>
 * start: 2026-03-02T00:00:00Z              # the first instant of virtual time
 * provisioner:                             # as examples/simulated-provisioner.yaml
 *   create_latency: {min: 30s, max: 90s}
 *   presets: {go-service/broken: {fail_first: 3}}
 * claims:                                  # claim arrivals per preset
 *   # the short form: one window of Poisson arrivals
 *   python-dev/small: {per_hour: 6, hours: 8-18, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
 *   # the full form
 *   python-dev/large:
 *     windows:                             # Poisson windows; overlapping ones add up
 *       - {per_hour: 4, hours: 9-17, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
 *       - {per_hour: 0.5}                  # all day, every day
 *       - {per_hour: 2, hours: 12-13, from: 2026-03-09T00:00:00Z, until: 2026-03-16T00:00:00Z}
 *     bursts:                              # claims at a local time of day, spread uniformly over within
 *       - {at: "09:00", claims: 12, within: 5m, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
 *     scale:                               # the level from an instant on: every rate and burst × factor
 *       - {from: 2026-03-16T00:00:00Z, factor: 2}
 * config:                                  # any run setting, by its name
 *   reconcile-interval: 15s
 *   backoff-interval: 1m
 * </pre>
 * A preset's entry is one window's keys (the short form), a list of windows, or a map of {@code windows},
 * {@code bursts} (at least one of the two) and {@code scale}. A window: {@code per_hour} (0…100000, required),
 * {@code hours} (whole local hours, inclusive, default 0-23), {@code weekdays} (ISO, 1 = Monday, default all),
 * {@code timezone} (IANA, default UTC), {@code from} and {@code until} (instants: the window counts in
 * {@code [from, until)}). A burst: {@code at} ("HH:MM", local), {@code claims} (0…10000), {@code within} (default
 * 1m, at most 24h), and {@code weekdays}, {@code timezone}, {@code from}, {@code until} as a window's (they select
 * the days whose {@code at} counts). A scale step: {@code from} and {@code factor} (0…1000, 1 before the first step;
 * burst claims are rounded). At most 100 windows, bursts or steps per preset. Arrivals are
 * deterministic under the seed ({@link Demand}). Every problem is reported with its place, e.g.
 * {@code claims.python-dev/large.bursts[0]: at must be a local time of day such as "09:00"}.
 */
record Scenario(Instant start, SimulatedProvisionerConfig provisioner, Map<PresetRef, Demand> claims,
                Map<Setting, String> config) {

    private static final Set<String> KEYS = Set.of("start", "provisioner", "claims", "config");
    private static final Set<String> DEMAND_KEYS = Set.of("windows", "bursts", "scale");
    private static final Set<String> WINDOW_KEYS = Set.of("per_hour", "hours", "weekdays", "timezone", "from", "until");
    private static final Set<String> BURST_KEYS = Set.of("at", "claims", "within", "weekdays", "timezone", "from", "until");
    private static final Set<String> STEP_KEYS = Set.of("from", "factor");
    /** Windows, bursts or steps of one preset: more is a mistake, and each costs the run a stream of arrivals. */
    private static final int MAX_ITEMS = 100;
    private static final Set<Setting> NOT_IN_A_SCENARIO = Set.of(Setting.STATE_DIR, Setting.HTTP_ADDR, Setting.SERVER,
            Setting.TOKEN, Setting.PROVISIONER, Setting.PRESETS, Setting.SIMULATED_CONFIG, Setting.DB_URL, Setting.DB_USER,
            Setting.DB_PASSWORD, Setting.COMMAND_CREATE, Setting.COMMAND_DELETE, Setting.COMMAND_CHECK, Setting.COMMAND_CLAIM,
            Setting.COMMAND_TIMEOUT, Setting.TERRAFORM_MODULE, Setting.TERRAFORM_BINARY, Setting.TERRAFORM_STATE_SCHEMA,
            Setting.TERRAFORM_TIMEOUT,
            Setting.HTTP_PROVISIONER_URL, Setting.HTTP_PROVISIONER_SECRET, Setting.SEED, Setting.TOKEN_FILE,
            Setting.DB_PASSWORD_FILE, Setting.HTTP_PROVISIONER_SECRET_FILE, Setting.TLS_CERT, Setting.TLS_KEY, Setting.CA_CERT);

    static Scenario read(Path file) {
        Object root;
        try {
            root = YamlText.load(TextInput.readFile(file, TextInput.MAX_CONFIG_BYTES), file.toString());
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + TextInput.reason(e)));
        } catch (TextInput.RefusedException e) {
            throw new ConfigException(List.of(e.getMessage()));
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(file + ": is not valid YAML: " + e.getMessage().lines().findFirst().orElse("")));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Object> map = root == null ? Map.of() : map(root, file + ": the scenario", problems);
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                problems.add(file + ": unknown key '" + key + "' (expected start, provisioner, claims, config)");
            }
        }
        Instant start = null;
        if (!map.containsKey("start")) {
            problems.add(file + ": start is required, e.g. start: 2026-03-02T00:00:00Z");
        } else {
            try {
                start = Instant.parse(String.valueOf(map.get("start")));
            } catch (DateTimeParseException e) {
                problems.add(file + ": start must be an ISO-8601 instant such as 2026-03-02T00:00:00Z, got '" + map.get("start") + "'");
            }
        }
        SimulatedProvisionerConfig provisioner = SimulatedProvisionerConfig.DEFAULT;
        if (map.containsKey("provisioner")) {
            try {
                provisioner = SimulatedProvisionerYaml.fromMap(map(map.get("provisioner"), file + ": provisioner", problems),
                        file + ": provisioner");
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        Map<PresetRef, Demand> claims = new LinkedHashMap<>();
        if (map.containsKey("claims")) {
            map(map.get("claims"), file + ": claims", problems).forEach((name, v) -> {
                String where = file + ": claims." + name;
                PresetRef ref = null;
                try {
                    ref = PresetRef.parse(name);
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
                Demand demand = demand(v, where, problems);
                if (ref != null && demand != null) {
                    claims.put(ref, demand);
                }
            });
        }
        Map<Setting, String> config = new LinkedHashMap<>();
        if (map.containsKey("config")) {
            map(map.get("config"), file + ": config", problems).forEach((k, v) -> {
                var setting = Setting.byKey(k);
                if (setting.isEmpty() || NOT_IN_A_SCENARIO.contains(setting.get())) {
                    problems.add(file + ": config." + k + ": not a setting a scenario can change "
                            + "(e.g. reconcile-interval, backoff-interval, failure-hard-limit, max-in-flight-creates-per-preset)");
                } else {
                    config.put(setting.get(), String.valueOf(v));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Scenario(start, provisioner, claims, config);
    }

    /**
     * A preset's demand: one window's keys (the short form), a list of windows, or a map of {@code windows},
     * {@code bursts} and {@code scale}. Each problem is reported with its place; {@code null} if there was one.
     */
    private static Demand demand(Object v, String where, List<String> problems) {
        int before = problems.size();
        List<Demand.Window> windows = new ArrayList<>();
        List<Demand.Burst> bursts = new ArrayList<>();
        List<Demand.Step> scale = new ArrayList<>();
        if (v instanceof List<?> list) {
            items(list, where, problems, m -> windows.add(window(m)));
        } else if (v instanceof Map<?, ?> && map(v, where, problems).keySet().stream().anyMatch(DEMAND_KEYS::contains)) {
            Map<String, Object> m = map(v, where, problems);
            for (String key : m.keySet()) {
                if (!DEMAND_KEYS.contains(key)) {
                    problems.add(where + ": unknown key '" + key + "' (expected windows, bursts, scale; "
                            + "or, alone, one window's per_hour, hours, weekdays, timezone, from, until)");
                }
            }
            if (!m.containsKey("windows") && !m.containsKey("bursts")) {
                problems.add(where + ": needs windows or bursts");
            }
            list(m, "windows", where, problems, w -> windows.add(window(w)));
            list(m, "bursts", where, problems, b -> bursts.add(burst(b)));
            list(m, "scale", where, problems, s -> scale.add(step(s)));
        } else {
            Map<String, Object> m = map(v, where, problems);
            if (v instanceof Map<?, ?>) {
                try {
                    windows.add(window(m));
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
            }
        }
        return problems.size() == before ? new Demand(windows, bursts, scale) : null;
    }

    private static void list(Map<String, Object> m, String key, String where, List<String> problems,
                             Consumer<Map<String, Object>> each) {
        if (!m.containsKey(key)) {
            return;
        }
        if (!(m.get(key) instanceof List<?> list)) {
            problems.add(where + "." + key + " must be a list");
            return;
        }
        items(list, where + "." + key, problems, each);
    }

    private static void items(List<?> list, String where, List<String> problems, Consumer<Map<String, Object>> each) {
        if (list.size() > MAX_ITEMS) {
            problems.add(where + ": at most " + MAX_ITEMS + " entries, got " + list.size());
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String place = where + "[" + i + "]";
            Map<String, Object> m = map(list.get(i), place, problems);
            if (list.get(i) instanceof Map<?, ?>) {
                try {
                    each.accept(m);
                } catch (IllegalArgumentException e) {
                    problems.add(place + ": " + e.getMessage());
                }
            }
        }
    }

    private static Demand.Window window(Map<String, Object> m) {
        keys(m, WINDOW_KEYS, "per_hour, hours, weekdays, timezone, from, until");
        if (!(m.get("per_hour") instanceof Number rate) || !(rate.doubleValue() >= 0) || rate.doubleValue() > 100_000) {
            throw new IllegalArgumentException("per_hour must be a number from 0 to 100000");
        }
        int from = 0;
        int to = 23;
        if (m.containsKey("hours")) {
            String hours = String.valueOf(m.get("hours"));
            // limit -1: "-" and "8-" keep their empty parts and are rejected (without it "-" split into nothing
            // and threw ArrayIndexOutOfBoundsException, and "8-" was silently read as 8-8).
            String[] parts = hours.split("-", -1);
            try {
                from = Integer.parseInt(parts[0].trim());
                to = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : from;
                if (parts.length > 2 || from < 0 || to > 23 || from > to) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("hours must be a range of whole local hours such as 8-18, got '" + hours + "'");
            }
        }
        Instant[] validity = validity(m);
        return new Demand.Window(rate.doubleValue(), from, to, weekdays(m), zone(m), validity[0], validity[1]);
    }

    private static Demand.Burst burst(Map<String, Object> m) {
        keys(m, BURST_KEYS, "at, claims, within, weekdays, timezone, from, until");
        LocalTime at;
        try {
            at = LocalTime.parse(String.valueOf(m.get("at")), DateTimeFormatter.ofPattern("HH:mm"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("at must be a local time of day such as \"09:00\", got '" + m.get("at") + "'");
        }
        if (!(m.get("claims") instanceof Integer claims) || claims < 0 || claims > 10_000) {
            throw new IllegalArgumentException("claims must be a whole number from 0 to 10000");
        }
        Duration within = Duration.ofMinutes(1);
        if (m.containsKey("within")) {
            try {
                within = Durations.parse(String.valueOf(m.get("within")));
            } catch (IllegalArgumentException e) {
                within = Duration.ZERO;
            }
            if (within.isZero() || within.isNegative() || within.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("within must be a duration from 1ms to 24h such as 5m, got '" + m.get("within") + "'");
            }
        }
        Instant[] validity = validity(m);
        return new Demand.Burst(at, claims, within, weekdays(m), zone(m), validity[0], validity[1]);
    }

    private static Demand.Step step(Map<String, Object> m) {
        keys(m, STEP_KEYS, "from, factor");
        if (!m.containsKey("from")) {
            throw new IllegalArgumentException("from is required, e.g. from: 2026-03-16T00:00:00Z");
        }
        if (!(m.get("factor") instanceof Number f) || !(f.doubleValue() >= 0) || f.doubleValue() > 1_000) {
            throw new IllegalArgumentException("factor must be a number from 0 to 1000");
        }
        return new Demand.Step(instant(m, "from"), f.doubleValue());
    }

    private static void keys(Map<String, Object> m, Set<String> allowed, String expected) {
        for (String key : m.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (expected " + expected + ")");
            }
        }
    }

    private static Set<Integer> weekdays(Map<String, Object> m) {
        if (!m.containsKey("weekdays")) {
            return Set.of(1, 2, 3, 4, 5, 6, 7);
        }
        if (!(m.get("weekdays") instanceof List<?> list) || list.isEmpty()
                || list.stream().anyMatch(d -> !(d instanceof Integer i) || i < 1 || i > 7)) {
            throw new IllegalArgumentException("weekdays must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)");
        }
        return Set.copyOf(list.stream().map(d -> (Integer) d).toList());
    }

    private static ZoneId zone(Map<String, Object> m) {
        if (!m.containsKey("timezone")) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(String.valueOf(m.get("timezone")));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("timezone '" + m.get("timezone") + "' is not an IANA timezone");
        }
    }

    /** {@code [from, until)}, each {@code null} when absent. */
    private static Instant[] validity(Map<String, Object> m) {
        Instant from = m.containsKey("from") ? instant(m, "from") : null;
        Instant until = m.containsKey("until") ? instant(m, "until") : null;
        if (from != null && until != null && !from.isBefore(until)) {
            throw new IllegalArgumentException("from must be before until");
        }
        return new Instant[] {from, until};
    }

    private static Instant instant(Map<String, Object> m, String key) {
        try {
            return Instant.parse(String.valueOf(m.get(key)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 instant such as 2026-03-16T00:00:00Z, got '" + m.get(key) + "'");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String where, List<String> problems) {
        if (!(v instanceof Map<?, ?> m)) {
            problems.add(where + " must be a map");
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) m).forEach((k, val) -> out.put(String.valueOf(k), val));
        return out;
    }
}
