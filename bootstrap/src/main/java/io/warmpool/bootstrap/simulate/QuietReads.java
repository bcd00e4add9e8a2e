package io.warmpool.bootstrap.simulate;

import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.SettingsPort;
import java.time.Instant;
import java.util.Objects;

/**
 * What a simulator pass reads from the database — the snapshot of every preset and whether reconciliation is
 * paused — remembered for as long as nothing can have changed it. Most passes of a long run find a quiet pool
 * (nights, weekends, full pools between claims); each of them cost a read-only transaction of several round
 * trips to PostgreSQL, the larger part of a run's wall time, to read what the previous pass read.
 *
 * <p>Why the remembered answer is the one the database would give: a run is one thread, and everything in it
 * that writes to the database is either a task of {@link VirtualTime} scheduled with {@link VirtualTime#at} (a
 * claim, a job completion, a heartbeat, a nudged pass, a worker's next job), each counted in
 * {@link VirtualTime#changes()}, or a regular pass that enqueued or canceled work, which {@link Simulation} counts
 * with {@link VirtualTime#changed()}. The snapshot adapter reads no clock (its answer depends on the database's
 * content alone) and planning is pure, so while the count stands still the same read returns the same answer,
 * and the pass plans, reports and publishes exactly what it would have after a real read.
 *
 * <p>The paused flag is read once and then remembered until a {@link #setPaused} through this class, the only
 * writer of that flag.
 *
 * <p>Off ({@code enabled} false) where time alone changes what is read: presets with readiness or health checks
 * (due checks are taken at each pass) and presets with autoscale (the snapshot's demand history counts the claims
 * of the last hour before the pass's {@code now}). Scoped reads (a nudge's pass) always go to the database.
 */
final class QuietReads implements PresetSnapshotPort, SettingsPort {

    private final PresetSnapshotPort snapshots;
    private final SettingsPort settings;
    private final VirtualTime time;
    private final boolean enabled;
    private Snapshot all;
    private long allAt;
    private Boolean paused;
    private long reads;
    private long remembered;

    QuietReads(PresetSnapshotPort snapshots, SettingsPort settings, VirtualTime time, boolean enabled) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.time = Objects.requireNonNull(time, "time");
        this.enabled = enabled;
    }

    @Override
    public Snapshot load(Scope scope) {
        if (!enabled || !scope.isAll()) {
            return snapshots.load(scope);
        }
        reads++;
        if (all != null && allAt == time.changes()) {
            remembered++;
            return all;
        }
        all = snapshots.load(scope);
        allAt = time.changes();
        return all;
    }

    @Override
    public boolean isPaused() {
        if (!enabled) {
            return settings.isPaused();
        }
        // Only setPaused writes the flag (JooqPresetStoreAdapter: the one statement on its settings key), and every
        // setPaused of the run comes through here.
        if (paused == null) {
            paused = settings.isPaused();
        }
        return paused;
    }

    @Override
    public void setPaused(boolean value, Instant now) {
        paused = null;
        settings.setPaused(value, now);
        time.changed();
    }

    /** Full snapshots asked for, and how many of them were answered from memory. */
    String stats() {
        return remembered + " of " + reads + " full snapshots unchanged";
    }
}
