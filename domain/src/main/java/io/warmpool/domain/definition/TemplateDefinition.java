package io.warmpool.domain.definition;

import io.warmpool.domain.PresetId;
import java.util.List;
import java.util.Objects;

/**
 * A validated template entry: applying it makes {@code version} the template's active version.
 *
 * @param deleted a deleted template is kept for history; its presets are inactive and their prebuilds are deleted
 */
public record TemplateDefinition(String name, String version, boolean deprecated, boolean deleted,
                                 List<PresetDefinition> presets) {

    public TemplateDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        presets = List.copyOf(presets);
    }

    /** The identity of one of this version's presets. */
    public PresetId idOf(PresetDefinition preset) {
        return new PresetId(name, version, preset.name());
    }
}
