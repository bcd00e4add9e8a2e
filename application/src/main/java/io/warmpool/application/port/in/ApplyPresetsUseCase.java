package io.warmpool.application.port.in;

import io.warmpool.domain.definition.PresetsInput;

/** A4 — apply a presets file: validated, then stored all or nothing. */
public interface ApplyPresetsUseCase {

    /**
     * @throws io.warmpool.domain.definition.InvalidDefinitionException with every error and its place; nothing is stored
     */
    Applied apply(PresetsInput input);

    /**
     * What was stored (the use case's own answer: a change of the store's read-model does not change it).
     *
     * @param templates       templates in the file
     * @param versionsCreated template versions new in the store (each becomes the active one)
     * @param presetsCreated  presets of those new versions
     * @param presetsUpdated  presets of unchanged versions whose prebuild settings changed
     */
    record Applied(int templates, int versionsCreated, int presetsCreated, int presetsUpdated) {
    }
}
