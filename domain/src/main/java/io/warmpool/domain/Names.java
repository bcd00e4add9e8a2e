package io.warmpool.domain;

import java.util.Optional;
import java.util.regex.Pattern;

/** The naming rule for templates, versions, presets and workspaces: {@code [a-z0-9][a-z0-9-]*}, at most 63 characters. */
public final class Names {

    public static final int MAX_LENGTH = 63;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private Names() {
    }

    /** Why {@code value} is not a valid name, or empty when it is. */
    public static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("is required");
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters, got " + value.length());
        }
        if (!NAME.matcher(value).matches()) {
            return Optional.of("'" + value + "' must match [a-z0-9][a-z0-9-]* (lowercase letters, digits, '-')");
        }
        return Optional.empty();
    }

    /** @throws IllegalArgumentException naming {@code what} when {@code value} is not a valid name */
    public static String requireValid(String what, String value) {
        problem(value).ifPresent(p -> {
            throw new IllegalArgumentException(what + " " + p);
        });
        return value;
    }
}
