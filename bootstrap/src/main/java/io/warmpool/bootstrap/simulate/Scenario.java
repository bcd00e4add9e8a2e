package io.warmpool.bootstrap.simulate;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.config.SimulatedProvisionerYaml;
import io.warmpool.bootstrap.config.YamlText;
import io.warmpool.domain.PresetRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A simulator scenario (SPEC §5 Simulator):
 * <pre>
 * start: 2026-03-02T00:00:00Z              # the first instant of virtual time
 * provisioner:                             # as examples/simulated-provisioner.yaml
 *   create_latency: {min: 30s, max: 90s}
 *   presets: {go-service/broken: {fail_first: 3}}
 * claims:                                  # Poisson arrivals per preset
 *   python-dev/small: {per_hour: 6, hours: 8-18, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
 * config:                                  # any run setting, by its name
 *   reconcile-interval: 15s
 *   backoff-interval: 1m
 * </pre>
 */
record Scenario(Instant start, SimulatedProvisionerConfig provisioner, Map<PresetRef, ClaimLoad> claims,
                Map<Setting, String> config) {

    private static final Set<String> KEYS = Set.of("start", "provisioner", "claims", "config");
    private static final Set<String> CLAIM_KEYS = Set.of("per_hour", "hours", "weekdays", "timezone");
    private static final Set<Setting> NOT_IN_A_SCENARIO = Set.of(Setting.STATE_DIR, Setting.HTTP_ADDR, Setting.SERVER,
            Setting.TOKEN, Setting.PROVISIONER, Setting.PRESETS, Setting.SIMULATED_CONFIG, Setting.DB_URL, Setting.DB_USER,
            Setting.DB_PASSWORD, Setting.COMMAND_CREATE, Setting.COMMAND_DELETE, Setting.COMMAND_CHECK, Setting.COMMAND_CLAIM,
            Setting.COMMAND_TIMEOUT, Setting.TERRAFORM_MODULE, Setting.TERRAFORM_BINARY, Setting.TERRAFORM_STATE_SCHEMA,
            Setting.TERRAFORM_TIMEOUT,
            Setting.HTTP_PROVISIONER_URL, Setting.HTTP_PROVISIONER_SECRET, Setting.SEED, Setting.TOKEN_FILE,
            Setting.DB_PASSWORD_FILE, Setting.HTTP_PROVISIONER_SECRET_FILE);

    /**
     * Claim arrivals of one preset: a Poisson process of {@code perHour} per hour, only during the local
     * hours {@code fromHour}…{@code toHour} (inclusive, whole hours) on the given ISO weekdays (1 = Monday).
     */
    record ClaimLoad(double perHour, int fromHour, int toHour, Set<Integer> weekdays, ZoneId zone) {
        boolean open(Instant t) {
            var local = t.atZone(zone);
            int h = local.getHour();
            return h >= fromHour && h <= toHour && weekdays.contains(local.getDayOfWeek().getValue());
        }
    }

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
        Map<PresetRef, ClaimLoad> claims = new LinkedHashMap<>();
        if (map.containsKey("claims")) {
            map(map.get("claims"), file + ": claims", problems).forEach((name, v) -> {
                try {
                    claims.put(PresetRef.parse(name), claimLoad(map(v, file + ": claims." + name, problems), file + ": claims." + name));
                } catch (IllegalArgumentException e) {
                    problems.add(file + ": claims." + name + ": " + e.getMessage());
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

    private static ClaimLoad claimLoad(Map<String, Object> m, String where) {
        for (String key : m.keySet()) {
            if (!CLAIM_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (expected per_hour, hours, weekdays, timezone)");
            }
        }
        if (!(m.get("per_hour") instanceof Number rate) || rate.doubleValue() < 0 || rate.doubleValue() > 100_000) {
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
        Set<Integer> weekdays = Set.of(1, 2, 3, 4, 5, 6, 7);
        if (m.containsKey("weekdays")) {
            if (!(m.get("weekdays") instanceof List<?> list) || list.isEmpty()
                    || list.stream().anyMatch(d -> !(d instanceof Integer i) || i < 1 || i > 7)) {
                throw new IllegalArgumentException("weekdays must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)");
            }
            weekdays = Set.copyOf(list.stream().map(d -> (Integer) d).toList());
        }
        ZoneId zone = ZoneOffset.UTC;
        if (m.containsKey("timezone")) {
            try {
                zone = ZoneId.of(String.valueOf(m.get("timezone")));
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("timezone '" + m.get("timezone") + "' is not an IANA timezone");
            }
        }
        return new ClaimLoad(((Number) m.get("per_hour")).doubleValue(), from, to, weekdays, zone);
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
