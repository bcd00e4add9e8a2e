package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.Health;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Configuration of the {@link SimulatedProvisioner}: latencies, failure rules, and the scenario fields of SPEC §5
 * ({@code fail_first}, {@code failure_rate}, {@code permanent}). Plain records so bootstrap and the simulator can
 * build them from YAML; every constructor rejects bad values with an {@link IllegalArgumentException} whose
 * message names the field as it is spelled in YAML.
 *
 * @param createLatency     how long a create takes
 * @param deleteLatency     how long a delete takes
 * @param failures          the rule for every preset that has no rule of its own
 * @param presetFailures    rules by preset, keyed {@code template/preset} (any version of that preset); a preset's
 *                          own rule replaces the global one entirely, it is not combined with it
 * @param deleteFailureRate probability that a delete fails (transiently); 0 means deletes always succeed
 * @param life              readiness, liveness and claims ({@link Life#NONE}: ready at once, never dies, no claim
 *                          transition)
 */
public record SimulatedProvisionerConfig(Latency createLatency, Latency deleteLatency, FailureRule failures,
                                         Map<String, FailureRule> presetFailures, double deleteFailureRate, Life life) {

    /** Creates take 30 s and deletes 10 s, nothing fails: a provisioner that just works. */
    public static final SimulatedProvisionerConfig DEFAULT = new SimulatedProvisionerConfig(
            Latency.fixed(Duration.ofSeconds(30)), Latency.fixed(Duration.ofSeconds(10)), FailureRule.NONE, Map.of(), 0);

    /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

    public SimulatedProvisionerConfig {
        Objects.requireNonNull(createLatency, "create_latency must be given");
        Objects.requireNonNull(deleteLatency, "delete_latency must be given");
        Objects.requireNonNull(failures, "failures must be given");
        Objects.requireNonNull(presetFailures, "presets must be given (may be empty)");
        for (Map.Entry<String, FailureRule> entry : presetFailures.entrySet()) {
            try {
                PresetRef.parse(entry.getKey());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("presets: " + e.getMessage());
            }
            Objects.requireNonNull(entry.getValue(), "presets['" + entry.getKey() + "'] must be a failure rule");
        }
        // Sorted so toString, equality and any iteration are the same on every run.
        presetFailures = Map.copyOf(new TreeMap<>(presetFailures));
        requireProbability("delete_failure_rate", deleteFailureRate);
        Objects.requireNonNull(life, "life must be given (Life.NONE for none)");
    }

    /** Without readiness, liveness or claims ({@link Life#NONE}). */
    public SimulatedProvisionerConfig(Latency createLatency, Latency deleteLatency, FailureRule failures,
                                      Map<String, FailureRule> presetFailures, double deleteFailureRate) {
        this(createLatency, deleteLatency, failures, presetFailures, deleteFailureRate, Life.NONE);
    }

    /** A copy with another rule for every preset without its own. */
    public SimulatedProvisionerConfig withFailures(FailureRule failures) {
        return new SimulatedProvisionerConfig(createLatency, deleteLatency, failures, presetFailures, deleteFailureRate,
                life);
    }

    /** A copy with other readiness, liveness and claim settings. */
    public SimulatedProvisionerConfig withLife(Life life) {
        return new SimulatedProvisionerConfig(createLatency, deleteLatency, failures, presetFailures, deleteFailureRate,
                life);
    }

    /**
     * The life of a workspace after its create succeeded (R10–R12), the same for every preset.
     *
     * @param readinessLatency YAML {@code readiness_latency}: how long after its create succeeded a workspace checks
     *                         {@code starting} before it checks {@code ready}
     * @param deathsPerHour    YAML {@code deaths_per_hour}: the rate at which a ready workspace dies; its time to
     *                         death is exponentially distributed with this rate (0: never)
     * @param deathStatus      YAML {@code death_status}: what a dead workspace checks, {@code gone} (default) or
     *                         {@code unhealthy}
     * @param claimLatency     YAML {@code claim_latency}: how long a claim's handoff takes
     * @param claimFailureRate YAML {@code claim_failure_rate}: probability in {@code [0, 1]} that a handoff fails
     */
    public record Life(Latency readinessLatency, double deathsPerHour, Health deathStatus, Latency claimLatency,
                       double claimFailureRate) {

        /** Ready as soon as created, never dies, and no claim transition (a claim is a no-op). */
        public static final Life NONE = new Life(Latency.fixed(Duration.ZERO), 0, Health.GONE,
                Latency.fixed(Duration.ZERO), 0);

        /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

        public Life {
            if (readinessLatency == null) {
                throw new IllegalArgumentException("readiness_latency must be given");
            }
            if (!(deathsPerHour >= 0) || Double.isInfinite(deathsPerHour)) {
                throw new IllegalArgumentException("deaths_per_hour must be a number >= 0, was " + deathsPerHour);
            }
            if (deathStatus != Health.GONE && deathStatus != Health.UNHEALTHY) {
                throw new IllegalArgumentException("death_status must be gone or unhealthy, was "
                        + (deathStatus == null ? null : deathStatus.wire()));
            }
            if (claimLatency == null) {
                throw new IllegalArgumentException("claim_latency must be given");
            }
            requireProbability("claim_failure_rate", claimFailureRate);
        }

        /** Whether workspaces have a life to follow: a readiness latency or deaths. */
        public boolean tracksWorkspaces() {
            return readinessLatency.max().compareTo(Duration.ZERO) > 0 || deathsPerHour > 0;
        }

        /** Whether claims reach the simulated infrastructure: a claim latency or failure rate is set. */
        public boolean claims() {
            return claimLatency.max().compareTo(Duration.ZERO) > 0 || claimFailureRate > 0;
        }
    }

    /** The rule that applies to {@code preset}: its own, else the global one. */
    public FailureRule ruleFor(PresetRef preset) {
        return presetFailures.getOrDefault(preset.toString(), failures);
    }

    /**
     * A latency: fixed when {@code min == max}, else drawn uniformly in whole milliseconds from {@code [min, max]},
     * both bounds included.
     */
    public record Latency(Duration min, Duration max) {

        /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

        public Latency {
            requireMillis("latency.min", min);
            requireMillis("latency.max", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("latency.max (" + max + ") must not be less than latency.min (" + min + ")");
            }
        }

        /** Always exactly {@code latency}. */
        public static Latency fixed(Duration latency) {
            return new Latency(latency, latency);
        }

        /** Uniform in {@code [min, max]}. */
        public static Latency uniform(Duration min, Duration max) {
            return new Latency(min, max);
        }
    }

    /**
     * When creates fail. A create fails when it is among the first {@code failFirst} creates of its preset, or
     * else when a uniform draw in {@code [0, 1)} is below {@code failureRate}. Its failures are permanent (R5) when
     * {@code permanent}, else transient.
     *
     * @param failFirst   YAML {@code fail_first}: how many creates of the preset fail first, counted per preset from
     *                    the provisioner's start
     * @param failureRate YAML {@code failure_rate}: probability in {@code [0, 1]}
     * @param permanent   YAML {@code permanent}
     */
    public record FailureRule(int failFirst, double failureRate, boolean permanent) {

        /** Nothing fails. */
        public static final FailureRule NONE = new FailureRule(0, 0, false);

        /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

        public FailureRule {
            if (failFirst < 0) {
                throw new IllegalArgumentException("fail_first must not be negative, was " + failFirst);
            }
            requireProbability("failure_rate", failureRate);
        }
    }

    private static void requireProbability(String field, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(field + " must be between 0 and 1, was " + value);
        }
    }

    private static void requireMillis(String field, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must be given");
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, was " + value);
        }
        if (value.getNano() % 1_000_000 != 0) {
            // SPEC §2: durations have millisecond precision everywhere.
            throw new IllegalArgumentException(field + " must be whole milliseconds, was " + value);
        }
    }
}
