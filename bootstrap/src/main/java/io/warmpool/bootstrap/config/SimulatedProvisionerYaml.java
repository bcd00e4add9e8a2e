package io.warmpool.bootstrap.config;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Life;
import io.warmpool.application.port.out.Health;
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
 * # The life of a created workspace (R10–R12), for every preset; all optional, absent = none of it:
 * readiness_latency: {min: 1m, max: 4m} # checks answer starting this long after the create, then ready
 * deaths_per_hour: 0.05                # a ready workspace dies at this rate (exponential time to death) ...
 * death_status: gone                   # ... and then checks gone (default) or unhealthy
 * claim_latency: 2s                    # a claim's handoff takes this long
 * claim_failure_rate: 0.01             # and fails this often (either one set: claims reach the provisioner)
 * </pre>
 */
public final class SimulatedProvisionerYaml {

    private static final Set<String> KEYS = new java.util.LinkedHashSet<>(List.of("create_latency", "delete_latency",
            "failures", "delete_failure_rate", "presets", "readiness_latency", "deaths_per_hour", "death_status",
            "claim_latency", "claim_failure_rate"));
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
            return new SimulatedProvisionerConfig(create, delete, global, presets, deleteRate, life(map));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(List.of(where + ": " + e.getMessage()));
        }
    }

    private static Life life(Map<String, Object> map) {
        Life none = Life.NONE;
        Latency readiness = map.containsKey("readiness_latency")
                ? latency(map.get("readiness_latency"), "readiness_latency") : none.readinessLatency();
        double deaths = map.containsKey("deaths_per_hour") ? number(map.get("deaths_per_hour"), "deaths_per_hour") : 0;
        Health deathStatus = none.deathStatus();
        if (map.containsKey("death_status")) {
            Object v = map.get("death_status");
            deathStatus = Health.fromWire(String.valueOf(v))
                    .filter(h -> h == Health.GONE || h == Health.UNHEALTHY)
                    .orElseThrow(() -> new IllegalArgumentException("death_status must be gone or unhealthy, got '" + v + "'"));
        }
        Latency claim = map.containsKey("claim_latency") ? latency(map.get("claim_latency"), "claim_latency")
                : none.claimLatency();
        double claimFailures = map.containsKey("claim_failure_rate")
                ? number(map.get("claim_failure_rate"), "claim_failure_rate") : 0;
        return new Life(readiness, deaths, deathStatus, claim, claimFailures);
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
