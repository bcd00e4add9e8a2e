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
 * (due checks are taken at each pass). Scoped reads (a nudge's pass) always go to the database.
 *
 * <p>With autoscale ({@code demand} true) the snapshot adapter does read the clock: the demand history holds the
 * hours inside each preset's lookback and the claims of the minutes in {@code (now − 1h, now]}. Those answers move
 * with time at two kinds of instants only, so the snapshot is also read again (a) when the UTC hour has changed
 * since the last read (the hours inside the lookback) and (b) when the minute has changed within 61 minutes after
 * the last change seen (a claim's minute row leaves the last hour exactly one hour after it). The planner itself
 * recomputes everything else that depends on {@code now} (the hour of the week forecast, the whole hours inside the
 * history) from the remembered data, as it would from a fresh read.
 */
final class QuietReads implements PresetSnapshotPort, SettingsPort {

    private final PresetSnapshotPort snapshots;
    private final SettingsPort settings;
    private final VirtualTime time;
    private final boolean enabled;
    private final boolean demand;
    private Snapshot all;
    private long allAt;
    private Instant readAt;
    private Instant changeSeenAt;
    private Boolean paused;
    private long reads;
    private long remembered;

    QuietReads(PresetSnapshotPort snapshots, SettingsPort settings, VirtualTime time, boolean enabled) {
        this(snapshots, settings, time, enabled, false);
    }

    /** @param demand whether some preset has autoscale: the snapshot's demand history also moves with time */
    QuietReads(PresetSnapshotPort snapshots, SettingsPort settings, VirtualTime time, boolean enabled, boolean demand) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.time = Objects.requireNonNull(time, "time");
        this.enabled = enabled;
        this.demand = demand;
    }

    @Override
    public Snapshot load(Scope scope) {
        if (!enabled || !scope.isAll()) {
            return snapshots.load(scope);
        }
        reads++;
        Instant now = time.instant();
        if (allAt != time.changes()) {
            changeSeenAt = now;
        }
        if (all != null && allAt == time.changes() && !(demand && demandMoved(now))) {
            remembered++;
            return all;
        }
        all = snapshots.load(scope);
        allAt = time.changes();
        readAt = now;
        return all;
    }

    private static final long MINUTE = 60;
    private static final long HOUR = 3600;

    /** Whether the demand history read at {@link #readAt} may differ at {@code now} with no change in between. */
    private boolean demandMoved(Instant now) {
        long then = readAt.getEpochSecond();
        long at = now.getEpochSecond();
        if (Math.floorDiv(then, HOUR) != Math.floorDiv(at, HOUR)) {
            return true;
        }
        return changeSeenAt != null && at - changeSeenAt.getEpochSecond() <= HOUR + MINUTE
                && Math.floorDiv(then, MINUTE) != Math.floorDiv(at, MINUTE);
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
