package io.warmpool.application.port.in;

import io.warmpool.application.port.out.PresetSnapshotPort.Scope;

/**
 * A1 — one reconciliation pass: take the cluster-wide lock (skip when another replica holds it), read the pause
 * flag (skip when paused), load one consistent snapshot, plan every preset (R2), carry the plans out in batches,
 * record metrics. One preset's failure never stops another's.
 */
public interface ReconcilePresetsUseCase {

    /** Runs a pass over {@code scope} ({@link Scope#ALL} for a regular tick, one preset for a nudge). */
    PassReport reconcile(Scope scope);
}
