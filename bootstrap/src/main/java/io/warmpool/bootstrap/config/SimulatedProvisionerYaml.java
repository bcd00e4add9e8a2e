package io.warmpool.bootstrap.config;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.domain.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the simulated provisioner's settings (also the {@code provisioner} section of a simulator scenario):
 * <pre>
 * create_latency: {min: 3s, max: 8s}   # or a single duration: 5s
 * delete_latency: 2s
 * failures: {fail_first: 0, failure_rate: 0.0, permanent: false}   # every preset
 * delete_failure_rate: 0
 * presets:                             # per preset, replacing the global rule
 *   go-service/broken: {failure_rate: 1.0}
 * </pre>
 */
public final class SimulatedProvisionerYaml {

    private static final Set<String> KEYS = Set.of("create_latency", "delete_latency", "failures", "delete_failure_rate", "presets");
    private static final Set<String> RULE_KEYS = Set.of("fail_first", "failure_rate", "permanent");

    private SimulatedProvisionerYaml() {
    }

    /** @throws ConfigException naming the file and the field */
    public static SimulatedProvisionerConfig read(Path file) {
        try {
            Object root = YamlText.load(TextInput.readFile(file, TextInput.MAX_CONFIG_BYTES), file.toString());
            return fromMap(root == null ? Map.of() : asMap(root, "the file"), file.toString());
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + TextInput.reason(e)));
        } catch (TextInput.RefusedException e) {
            throw new ConfigException(List.of(e.getMessage()));
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(file + ": is not valid YAML: " + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    /** From an already-parsed map; {@code where} prefixes every message. */
    public static SimulatedProvisionerConfig fromMap(Map<String, Object> map, String where) {
        try {
            for (String key : map.keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown key '" + key + "' (expected one of " + String.join(", ", KEYS) + ")");
                }
            }
            SimulatedProvisionerConfig d = SimulatedProvisionerConfig.DEFAULT;
            Latency create = map.containsKey("create_latency") ? latency(map.get("create_latency"), "create_latency") : d.createLatency();
            Latency delete = map.containsKey("delete_latency") ? latency(map.get("delete_latency"), "delete_latency") : d.deleteLatency();
            FailureRule global = map.containsKey("failures") ? rule(map.get("failures"), "failures") : FailureRule.NONE;
            double deleteRate = map.containsKey("delete_failure_rate") ? number(map.get("delete_failure_rate"), "delete_failure_rate") : 0;
            Map<String, FailureRule> presets = new LinkedHashMap<>();
            if (map.containsKey("presets")) {
                asMap(map.get("presets"), "presets").forEach((k, v) -> presets.put(k, rule(v, "presets." + k)));
            }
            return new SimulatedProvisionerConfig(create, delete, global, presets, deleteRate);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(List.of(where + ": " + e.getMessage()));
        }
    }

    private static Latency latency(Object v, String field) {
        if (v instanceof Map<?, ?>) {
            Map<String, Object> m = asMap(v, field);
            return Latency.uniform(duration(m.get("min"), field + ".min"), duration(m.get("max"), field + ".max"));
        }
        return Latency.fixed(duration(v, field));
    }

    private static FailureRule rule(Object v, String field) {
        Map<String, Object> m = asMap(v, field);
        for (String key : m.keySet()) {
            if (!RULE_KEYS.contains(key)) {
                throw new IllegalArgumentException(field + ": unknown key '" + key + "' (expected fail_first, failure_rate, permanent)");
            }
        }
        int failFirst = m.containsKey("fail_first") ? (int) number(m.get("fail_first"), field + ".fail_first") : 0;
        double rate = m.containsKey("failure_rate") ? number(m.get("failure_rate"), field + ".failure_rate") : 0;
        Object permanent = m.getOrDefault("permanent", false);
        if (!(permanent instanceof Boolean)) {
            throw new IllegalArgumentException(field + ".permanent must be true or false");
        }
        return new FailureRule(failFirst, rate, (Boolean) permanent);
    }

    private static Duration duration(Object v, String field) {
        if (v == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        try {
            return Durations.parse(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    private static double number(Object v, String field) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(field + " must be a number, got '" + v + "'");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object v, String field) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(field + " must be a map");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) m).forEach((k, val) -> out.put(String.valueOf(k), val));
        return out;
    }
}
