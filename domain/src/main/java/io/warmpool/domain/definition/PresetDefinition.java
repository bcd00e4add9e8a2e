package io.warmpool.domain.definition;

import io.warmpool.domain.PrebuildPolicy;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A validated preset: immutable parameters (sorted by name) and a prebuild policy that may change in place.
 */
public record PresetDefinition(String name, Map<String, String> parameters, PrebuildPolicy policy) {

    public PresetDefinition {
        Objects.requireNonNull(name, "name");
        parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
        Objects.requireNonNull(policy, "policy");
    }
}
