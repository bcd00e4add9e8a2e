package io.warmpool.domain.definition;

import java.util.Objects;

/**
 * One thing wrong with an input, and where.
 *
 * @param source  where in the input it is, for example {@code presets.yaml:12}; empty when unknown
 * @param field   the field, named so a person finds it, for example {@code template python-dev, preset small, prebuilds.instances}
 * @param message what is wrong and what is accepted
 */
public record ValidationError(String source, String field, String message) {

    public ValidationError {
        source = source == null ? "" : source;
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (source.isEmpty() ? "" : source + ": ") + field + ": " + message;
    }
}
