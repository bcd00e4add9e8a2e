package io.warmpool.domain;

import java.util.Objects;

/**
 * A preset as operators name it, {@code template/preset}: that preset of the template's active version.
 */
public record PresetRef(String template, String preset) {

    public PresetRef {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(preset, "preset");
    }

    /**
     * Parses {@code template/preset}.
     *
     * @throws IllegalArgumentException naming the expected form when the text is not two valid names
     */
    public static PresetRef parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("preset must be given as template/preset");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/') || slash == text.length() - 1) {
            throw new IllegalArgumentException("preset '" + text + "' must be given as template/preset");
        }
        String template = text.substring(0, slash);
        String preset = text.substring(slash + 1);
        Names.requireValid("template", template);
        Names.requireValid("preset", preset);
        return new PresetRef(template, preset);
    }

    @Override
    public String toString() {
        return template + "/" + preset;
    }
}
