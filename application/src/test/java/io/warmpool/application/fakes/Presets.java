package io.warmpool.application.fakes;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Short ways to write presets files in tests: validated documents for the store, raw input for the service. */
public final class Presets {

    private Presets() {
    }

    public static PresetsDocument document(TemplateDefinition... templates) {
        return new PresetsDocument(List.of(templates));
    }

    public static TemplateDefinition template(String name, String version, PresetDefinition... presets) {
        return new TemplateDefinition(name, version, false, false, List.of(presets));
    }

    public static TemplateDefinition deprecated(String name, String version, PresetDefinition... presets) {
        return new TemplateDefinition(name, version, true, false, List.of(presets));
    }

    /** A preset with one parameter {@code size=<name>} and a pool of {@code instances}, no TTL. */
    public static PresetDefinition preset(String name, int instances) {
        return preset(name, instances, Duration.ZERO);
    }

    public static PresetDefinition preset(String name, int instances, Duration ttl) {
        return new PresetDefinition(name, Map.of("size", name), new PrebuildPolicy(instances, ttl, PrebuildSchedule.none()));
    }

    public static PresetDefinition preset(String name, Map<String, String> parameters, PrebuildPolicy policy) {
        return new PresetDefinition(name, parameters, policy);
    }

    // ---- raw input, as a presets file reader would hand it over

    public static PresetsInput input(TemplateInput... templates) {
        return new PresetsInput("presets.yaml", List.of(templates));
    }

    public static TemplateInput templateInput(String name, String version, PresetInput... presets) {
        return new TemplateInput("presets.yaml:1", name, version, false, false, List.of(presets));
    }

    public static PresetInput presetInput(String name, Map<String, String> parameters, Integer instances) {
        return new PresetInput("presets.yaml:3", name, parameters, new PrebuildsInput("presets.yaml:5", instances, null, null));
    }
}
