package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.util.function.Function;

/**
 * The persisted per-preset failure state of R3–R5, shared by every replica. Worker completions change it
 * through {@link BuildQueuePort#complete}; this port serves operator changes (resume).
 */
public interface FailureStatePort {

    /**
     * Atomically reads the preset's state with a row lock, applies {@code change} and stores the result.
     *
     * @throws NotFoundException when the preset does not exist
     */
    FailureTransition update(PresetId preset, Function<FailureState, FailureTransition> change);
}
