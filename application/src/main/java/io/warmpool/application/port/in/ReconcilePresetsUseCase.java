package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import java.util.Objects;
import java.util.Set;

/**
 * A1 — one reconciliation pass: take the cluster-wide lock (skip when another replica holds it), read the pause
 * flag (skip when paused), load one consistent snapshot, plan every preset (R2), carry the plans out in batches,
 * record metrics. One preset's failure never stops another's.
 */
public interface ReconcilePresetsUseCase {

    /** Runs a pass over {@code scope} ({@link Scope#ALL} for a regular tick, one preset for a nudge). */
    PassReport reconcile(Scope scope);

    /** Which presets a pass plans: all of them, or some (a nudge for one preset). */
    record Scope(Set<PresetId> only) {

        /** Every preset: a regular tick. */
        public static final Scope ALL = new Scope(null);

        /** @param only the presets to plan, or {@code null} for all of them */
        public Scope {
            only = only == null ? null : Set.copyOf(only);
        }

        public static Scope of(Set<PresetId> presets) {
            return new Scope(Objects.requireNonNull(presets, "presets"));
        }

        public boolean isAll() {
            return only == null;
        }
    }
}
