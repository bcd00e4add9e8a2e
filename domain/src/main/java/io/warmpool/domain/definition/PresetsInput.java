package io.warmpool.domain.definition;

import java.util.List;
import java.util.Map;

/**
 * A presets file as read, before validation (SPEC §5 "Presets file"). Every value may be missing
 * ({@code null}) or wrong; {@link PresetsValidator} reports each problem with its place.
 * {@code source} fields say where a node starts in the file (for example {@code presets.yaml:12}), or are empty.
 */
public record PresetsInput(String source, List<TemplateInput> templates) {

    /** One template entry. */
    public record TemplateInput(String source, String name, String version, Boolean deprecated, Boolean deleted,
                                List<PresetInput> presets, TerraformInput terraform) {

        /** Without a {@code terraform} block. */
        public TemplateInput(String source, String name, String version, Boolean deprecated, Boolean deleted,
                             List<PresetInput> presets) {
            this(source, name, version, deprecated, deleted, presets, null);
        }
    }

    /** The template's {@code terraform} block: {@code module}, the root module directory of this version's workspaces. */
    public record TerraformInput(String source, String module) {
    }

    /** One preset of a template version. Parameter values are text as written. */
    public record PresetInput(String source, String name, Map<String, String> parameters, PrebuildsInput prebuilds) {
    }

    /** The {@code prebuilds} block; {@code ttl} is text such as {@code 24h} (see {@link io.warmpool.domain.Durations}). */
    public record PrebuildsInput(String source, Integer instances, String ttl, SchedulingInput scheduling,
                                 ReadinessInput readiness, HealthInput health, AutoscaleInput autoscale) {

        /** Without an autoscale block. */
        public PrebuildsInput(String source, Integer instances, String ttl, SchedulingInput scheduling,
                              ReadinessInput readiness, HealthInput health) {
            this(source, instances, ttl, scheduling, readiness, health, null);
        }

        /** Without readiness, health and autoscale blocks. */
        public PrebuildsInput(String source, Integer instances, String ttl, SchedulingInput scheduling) {
            this(source, instances, ttl, scheduling, null, null);
        }
    }

    /**
     * The {@code autoscale} block (R13): {@code targetHitRate} a number as written in the file (any number; the
     * validator checks the range), {@code min} and {@code max} whole numbers, {@code lookback} a duration.
     */
    public record AutoscaleInput(String source, Double targetHitRate, Integer min, Integer max, String lookback) {
    }

    /** The {@code readiness} block (R10): {@code check} is {@code provisioner} or {@code agent}; {@code timeout} a duration. */
    public record ReadinessInput(String source, String check, String timeout) {
    }

    /** The {@code health} block (R11): {@code interval} a duration, {@code unhealthyAfter} a whole number. */
    public record HealthInput(String source, String interval, Integer unhealthyAfter) {
    }

    /** The {@code scheduling} block: an IANA timezone (UTC when omitted) and windows. */
    public record SchedulingInput(String source, String timezone, List<WindowInput> schedule) {
    }

    /** One schedule window. */
    public record WindowInput(String source, String cron, Integer instances) {
    }
}
