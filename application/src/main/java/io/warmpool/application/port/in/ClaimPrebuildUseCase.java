package io.warmpool.application.port.in;

import io.warmpool.application.port.out.ClaimPort;

/**
 * A3 — hand the oldest eligible prebuild of a preset to a user, atomically, with the outputs its create
 * produced. Records {@code claim_succeeded} or {@code claim_missed} and nudges an immediate pass for that preset.
 */
public interface ClaimPrebuildUseCase {

    /**
     * @return {@link ClaimPort.Claimed} or {@link ClaimPort.Missed} ("no prebuilt workspace available")
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     */
    ClaimPort.Attempt claim(ClaimCommand command);
}
