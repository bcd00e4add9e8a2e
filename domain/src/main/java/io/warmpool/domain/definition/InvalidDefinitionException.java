package io.warmpool.domain.definition;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when presets (or other input) are invalid; carries every error found, not just the first. */
public final class InvalidDefinitionException extends RuntimeException {

    private final transient List<ValidationError> errors;

    public InvalidDefinitionException(List<ValidationError> errors) {
        super(errors.stream().map(ValidationError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid definition has at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
