package io.warmpool.domain;

import java.util.Objects;

/**
 * Identity of a preset: the template, the template version and the preset name (SPEC R1).
 *
 * <p>Ordered by template, then version, then name; this order breaks ties wherever the rules
 * need a stable order across presets (for example the global pending-jobs cap of R2).
 */
public record PresetId(String template, String version, String preset) implements Comparable<PresetId> {

    public PresetId {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(preset, "preset");
    }

    /** The name operators use, {@code template/preset}, which always means the active version's preset. */
    public PresetRef ref() {
        return new PresetRef(template, preset);
    }

    @Override
    public int compareTo(PresetId other) {
        // Plain calls rather than a Comparator chain: the pending cap breaks ties with this across a pass.
        int c = template.compareTo(other.template);
        if (c == 0) {
            c = version.compareTo(other.version);
        }
        return c != 0 ? c : preset.compareTo(other.preset);
    }

    @Override
    public String toString() {
        return template + "@" + version + "/" + preset;
    }
}
