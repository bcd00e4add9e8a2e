package io.warmpool.application.port.in;

import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.domain.definition.PresetsInput;

/** A4 — apply a presets file: validated, then stored all or nothing. */
public interface ApplyPresetsUseCase {

    /**
     * @throws io.warmpool.domain.definition.InvalidDefinitionException with every error and its place; nothing is stored
     */
    PresetStorePort.Applied apply(PresetsInput input);
}
