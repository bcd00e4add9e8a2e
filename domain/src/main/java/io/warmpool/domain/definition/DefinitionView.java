package io.warmpool.domain.definition;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.Durations;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A preset's applied definition as the presets file writes it: {@code parameters} and {@code prebuilds} with the
 * file's key names and duration texts, only the keys that are set ({@code instances} unless autoscaled; {@code ttl} when not 0;
 * {@code scheduling} (its {@code timezone} and {@code schedule}, maybe empty) when it has a schedule or a
 * timezone other than UTC; {@code readiness}, {@code health} and
 * {@code autoscale} when given, with the defaults they were completed with). What {@code GET} of a preset shows, and
 * what a dry run compares field by field ({@link #fields}).
 */
public final class DefinitionView {

    private DefinitionView() {
    }

    /** {@code {"parameters": {…}, "prebuilds": {…}}}, ordered as the file is. */
    public static Map<String, Object> of(PresetDefinition preset) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parameters", new TreeMap<>(preset.parameters()));
        out.put("prebuilds", prebuilds(preset.policy()));
        return out;
    }

    /** The {@code prebuilds} block of a policy. */
    public static Map<String, Object> prebuilds(PrebuildPolicy policy) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (policy.autoscale() == null) {
            out.put("instances", policy.instances()); // with autoscale the file sets none: it chooses the size
        }
        if (!policy.ttl().isZero()) {
            out.put("ttl", Durations.format(policy.ttl()));
        }
        PrebuildSchedule schedule = policy.schedule();
        boolean utc = schedule.zone() instanceof ZoneOffset offset && offset.getTotalSeconds() == 0
                || schedule.zone().getId().equals("UTC");
        if (!schedule.windows().isEmpty() || !utc) {
            Map<String, Object> scheduling = new LinkedHashMap<>();
            scheduling.put("timezone", utc ? "UTC" : schedule.zone().getId());
            List<Object> windows = new ArrayList<>();
            for (ScheduleWindow w : schedule.windows()) {
                Map<String, Object> window = new LinkedHashMap<>();
                window.put("cron", w.cron().expression());
                window.put("instances", w.instances());
                windows.add(window);
            }
            scheduling.put("schedule", windows);
            out.put("scheduling", scheduling);
        }
        Readiness readiness = policy.readiness();
        if (readiness != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("check", readiness.check().wire());
            r.put("timeout", Durations.format(readiness.timeout()));
            out.put("readiness", r);
        }
        Liveness health = policy.health();
        if (health != null) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("interval", Durations.format(health.interval()));
            h.put("unhealthy_after", health.unhealthyAfter());
            out.put("health", h);
        }
        Autoscale autoscale = policy.autoscale();
        if (autoscale != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("target_hit_rate", autoscale.targetHitRate());
            a.put("min", autoscale.min());
            a.put("max", autoscale.max());
            a.put("lookback", Durations.format(autoscale.lookback()));
            out.put("autoscale", a);
        }
        return out;
    }

    /**
     * The definition's leaves by dotted path ({@code parameters.cpu}, {@code prebuilds.instances},
     * {@code prebuilds.scheduling.schedule}, …) as text, in the file's order: a schedule is one leaf, written
     * {@code [{cron: "* 8-18 * * 1-5", instances: 6}, …]}.
     */
    public static Map<String, String> fields(PresetDefinition preset) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", of(preset), out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> map, Map<String, String> out) {
        map.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> nested) {
                flatten(path, (Map<String, Object>) nested, out);
            } else if (value instanceof List<?> list) {
                List<String> items = new ArrayList<>();
                for (Object item : list) {
                    Map<String, Object> window = (Map<String, Object>) item;
                    items.add("{cron: \"" + window.get("cron") + "\", instances: " + window.get("instances") + "}");
                }
                out.put(path, "[" + String.join(", ", items) + "]");
            } else {
                out.put(path, String.valueOf(value));
            }
        });
    }
}
