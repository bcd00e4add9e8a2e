package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.FailureTransition;

/** A5 — operator actions on presets. Each nudges a pass for the preset. */
public interface OperatePresetsUseCase {

    /**
     * Resumes a hard-limited or validation-failed preset: status healthy, no backoff, but the failure count is
     * kept so the first create is a single probe (R4).
     *
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     */
    FailureTransition resume(PresetRef preset);

    /**
     * Rolls every current prebuild of the preset over (R6).
     *
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     */
    PresetId invalidate(PresetRef preset);
}
