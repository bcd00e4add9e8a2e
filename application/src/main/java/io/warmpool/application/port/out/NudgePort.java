package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Wakes the reconciler of every replica for one preset (after a claim), instead of waiting for the next tick.
 * Delivery is best effort and at most once: a lost nudge only means the regular pass does the work.
 */
public interface NudgePort {

    /** Sends a nudge for {@code preset} to every replica, this one included. */
    void nudge(PresetId preset);

    /**
     * Sends a nudge for each of {@code presets}, as {@link #nudge} does for one; an adapter may send them together
     * (one round trip). The default sends them one by one.
     */
    default void nudgeAll(Collection<PresetId> presets) {
        presets.forEach(this::nudge);
    }

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
