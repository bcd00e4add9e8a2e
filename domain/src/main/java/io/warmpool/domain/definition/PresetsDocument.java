package io.warmpool.domain.definition;

import io.warmpool.domain.PresetId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A validated presets file: templates with unique names, each with uniquely named presets. */
public record PresetsDocument(List<TemplateDefinition> templates) {

    public PresetsDocument {
        templates = List.copyOf(templates);
    }

    /** Every preset's parameters by identity, in file order. */
    public Map<PresetId, Map<String, String>> parametersById() {
        Map<PresetId, Map<String, String>> out = new LinkedHashMap<>();
        for (TemplateDefinition t : templates) {
            for (PresetDefinition p : t.presets()) {
                out.put(t.idOf(p), p.parameters());
            }
        }
        return out;
    }
}
