package io.warmpool.domain;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of a preset: the template, the template version and the preset name (SPEC R1).
 *
 * <p>Ordered by template, then version, then name; this order breaks ties wherever the rules
 * need a stable order across presets (for example the global pending-jobs cap of R2).
 */
public record PresetId(String template, String version, String preset) implements Comparable<PresetId> {

    private static final Comparator<PresetId> ORDER = Comparator.comparing(PresetId::template)
            .thenComparing(PresetId::version)
            .thenComparing(PresetId::preset);

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
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return template + "@" + version + "/" + preset;
    }
}
