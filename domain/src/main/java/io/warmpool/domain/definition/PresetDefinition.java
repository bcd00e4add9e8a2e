package io.warmpool.domain.definition;

import io.warmpool.domain.PrebuildPolicy;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A validated preset: immutable parameters (sorted by name) and a prebuild policy that may change in place.
 *
 * @param source where the preset was read, for example {@code presets.yaml:12}, so that a rejection found later
 *               (a parameter change on a stored version) still names its place; empty when unknown
 */
public record PresetDefinition(String name, Map<String, String> parameters, PrebuildPolicy policy, String source) {

    /** A preset with no known place (built in code, not read from a file). */
    public PresetDefinition(String name, Map<String, String> parameters, PrebuildPolicy policy) {
        this(name, parameters, policy, "");
    }

    public PresetDefinition {
        Objects.requireNonNull(name, "name");
        parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
        Objects.requireNonNull(policy, "policy");
        source = source == null ? "" : source;
    }
}
