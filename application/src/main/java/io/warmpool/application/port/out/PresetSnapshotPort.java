package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.plan.PresetSnapshot;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads what the rules need about every preset.
 *
 * <p>Contract: one consistent read (a single read-only REPEATABLE READ transaction or equivalent), with a
 * number of queries that does not grow with the number of presets. Every preset of every stored version is
 * included (inactive ones too, so their prebuilds get deleted), ordered by {@link PresetId}.
 *
 * <p>A preset with autoscale (SPEC R13) carries its measured demand ({@link PresetSnapshot#demand()}): what
 * {@link DemandHistoryPort} holds for its template and preset name, as of the implementation's clock (its
 * {@code now}), in the same read; the others carry {@code DemandHistory.NONE}, at no cost.
 */
public interface PresetSnapshotPort {

    /** Loads the presets of {@code scope}, plus the cluster-wide count of queued creates. */
    Snapshot load(Scope scope);

    /** Which presets to load: all, or a set (a nudge for one preset). */
    record Scope(Set<PresetId> only) {

        public static final Scope ALL = new Scope(null);

        public Scope {
            only = only == null ? null : Set.copyOf(only);
        }

        public static Scope of(Set<PresetId> presets) {
            return new Scope(Objects.requireNonNull(presets, "presets"));
        }

        public boolean isAll() {
            return only == null;
        }

        public boolean includes(PresetId id) {
            return only == null || only.contains(id);
        }
    }

    /**
     * @param queuedCreates creates of <em>all</em> presets that no worker has taken yet (the pending-jobs cap counts these)
     */
    record Snapshot(List<PresetSnapshot> presets, int queuedCreates) {
        public Snapshot {
            presets = List.copyOf(presets);
        }
    }
}
