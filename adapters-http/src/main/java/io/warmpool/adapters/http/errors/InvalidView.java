package io.warmpool.adapters.http.errors;

import io.warmpool.domain.definition.ValidationError;
import java.util.List;

/**
 * A rejected presets file: {@code {"error": …, "errors": [{"source", "field", "message"}, …]}}, every error with
 * its place.
 */
public record InvalidView(String error, List<ErrorItem> errors) {

    public record ErrorItem(String source, String field, String message) {
    }

    static InvalidView of(String error, List<ValidationError> errors) {
        return new InvalidView(error, errors.stream().map(e -> new ErrorItem(e.source(), e.field(), e.message())).toList());
    }
}
