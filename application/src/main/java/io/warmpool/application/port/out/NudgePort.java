package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import java.util.function.Consumer;

/**
 * Wakes the reconciler of every replica for one preset (after a claim), instead of waiting for the next tick.
 * Delivery is best effort and at most once: a lost nudge only means the regular pass does the work.
 */
public interface NudgePort {

    /** Sends a nudge for {@code preset} to every replica, this one included. */
    void nudge(PresetId preset);

    /**
     * Calls {@code listener} for each nudge received, on a thread of the adapter's, until the returned
     * subscription is closed.
     */
    Subscription subscribe(Consumer<PresetId> listener);

    /** An active subscription. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
