package io.warmpool.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.PresetSnapshotPort.Snapshot;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.FailedPrebuild;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PresetSnapshotPort}: what the rules read about every preset, seeded through the other
 * ports. How the read is made (one repeatable-read transaction, a bounded number of queries) is the database's
 * (adapters-db's database-only snapshot tests).
 */
public abstract class PresetSnapshotPortContract extends PortContract {

    private static final Instant T0 = PortSeed.T0;
    private static final PresetId SMALL = new PresetId("python-dev", "v3", "small");
    private static final PresetId LARGE = new PresetId("python-dev", "v3", "large");
    private static final PresetId GO = new PresetId("go-dev", "v1", "tiny");
    private static final WorkerId WORKER = new WorkerId("host-a/w1");

    private static final PrebuildSchedule BERLIN = new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(
            new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6),
            new ScheduleWindow(CronWindow.parse("* 0-5 * * *"), 0)));

    private void applyPythonV3AndGo() {
        store.presets().apply(new PresetsDocument(List.of(
                new TemplateDefinition("python-dev", "v3", false, false, List.of(
                        new PresetDefinition("small", Map.of("cpu", "2"), new PrebuildPolicy(3, Duration.ofHours(24), BERLIN)),
                        new PresetDefinition("large", Map.of("cpu", "8"), PrebuildPolicy.of(1)))),
                new TemplateDefinition("go-dev", "v1", true, false, List.of(
                        new PresetDefinition("tiny", Map.of(), PrebuildPolicy.of(2)))))), T0);
    }

    private Snapshot load(Scope scope) {
        return store.snapshots().load(scope);
    }

    // ---- contents ------------------------------------------------------------------------------------------

    @Test
    void snapshot_describesEveryPreset_orderedById() {
        applyPythonV3AndGo();
        FailureState failing = new FailureState(2, T0.plusSeconds(10), T0.plusSeconds(40), PresetStatus.HEALTHY);
        store.failureStates().update(LARGE, s -> new FailureTransition(s, failing));
        // small: one claimed (seeded first: a claim takes the oldest), one failed, two running prebuilds (seeded
        // newest first), one being deleted, two starting (one taken by a worker, one queued).
        seed.claimed(SMALL, "alice", T0, T0.plusSeconds(1), Map.of());
        WorkspaceId failed = seed.failedPrebuild(SMALL, T0.plusSeconds(1));
        WorkspaceId newer = seed.runningPrebuild(SMALL, T0.plusSeconds(20), Map.of());
        WorkspaceId older = seed.runningPrebuild(SMALL, T0.plusSeconds(5), Map.of());
        WorkspaceId deleting = seed.deletingPrebuild(SMALL, T0.plusSeconds(2), T0.plusSeconds(40));
        assertThat(store.queue().acquire(WORKER, T0.plusSeconds(40)).orElseThrow().workspace()).isEqualTo(deleting);
        WorkspaceId taken = seed.startingPrebuild(SMALL, T0.plusSeconds(45));
        assertThat(store.queue().acquire(WORKER, T0.plusSeconds(45)).orElseThrow().workspace()).isEqualTo(taken);
        seed.startingPrebuild(SMALL, T0.plusSeconds(50));
        // large: a pending delete of a failed prebuild, and a queued create
        WorkspaceId largeFailed = seed.failedPrebuild(LARGE, T0.plusSeconds(3));
        store.queue().enqueueDeletes(List.of(new DeleteRequest(largeFailed, LARGE, DeleteRequest.Reason.FAILED_CLEANUP)), T0.plusSeconds(41));
        seed.startingPrebuild(LARGE, T0.plusSeconds(60));
        store.presets().invalidate(SMALL, T0.plusSeconds(30));

        Snapshot snapshot = load(Scope.ALL);

        assertThat(snapshot.queuedCreates()).isEqualTo(2);
        assertThat(snapshot.presets()).extracting(PresetSnapshot::id).containsExactly(GO, LARGE, SMALL);
        assertThat(snapshot.presets().get(0)).isEqualTo(new PresetSnapshot(GO, new Activity(true, true, false),
                PrebuildPolicy.of(2), null, FailureState.initial(), List.of(), List.of(), InFlight.NONE));
        assertThat(snapshot.presets().get(1)).isEqualTo(new PresetSnapshot(LARGE, Activity.ACTIVE,
                PrebuildPolicy.of(1), null, failing, List.of(), List.of(), new InFlight(1, 1, 1)));
        assertThat(snapshot.presets().get(2)).isEqualTo(new PresetSnapshot(SMALL, Activity.ACTIVE,
                new PrebuildPolicy(3, Duration.ofHours(24), BERLIN), T0.plusSeconds(30), FailureState.initial(),
                List.of(new Prebuild(older, T0.plusSeconds(5)), new Prebuild(newer, T0.plusSeconds(20))),
                List.of(new FailedPrebuild(failed, T0.plusSeconds(1), T0.plusSeconds(1).plus(PortSeed.READY_AFTER))),
                new InFlight(2, 1, 1)));
    }

    @Test
    void scopedSnapshot_returnsOnlyThatPreset_withTheClusterWideQueuedCreates() {
        applyPythonV3AndGo();
        WorkspaceId running = seed.runningPrebuild(SMALL, T0, Map.of());
        seed.startingPrebuild(SMALL, T0);
        for (int i = 1; i <= 3; i++) {
            seed.startingPrebuild(LARGE, T0);
        }

        Snapshot scoped = load(Scope.of(Set.of(SMALL)));

        assertThat(scoped.presets()).hasSize(1);
        PresetSnapshot only = scoped.presets().get(0);
        assertThat(only.id()).isEqualTo(SMALL);
        assertThat(only.running()).extracting(Prebuild::id).containsExactly(running);
        assertThat(only.inFlight()).isEqualTo(new InFlight(1, 1, 0));
        assertThat(scoped.queuedCreates()).isEqualTo(4);

        // The same preset read whole and scoped is the same.
        assertThat(load(Scope.ALL).presets()).contains(only);
    }

    @Test
    void scopedSnapshotOfAnUnknownPreset_isEmpty_butCountsQueuedCreates() {
        applyPythonV3AndGo();
        seed.startingPrebuild(LARGE, T0);

        Snapshot scoped = load(Scope.of(Set.of(new PresetId("python-dev", "v9", "small"))));

        assertThat(scoped.presets()).isEmpty();
        assertThat(scoped.queuedCreates()).isEqualTo(1);
    }

    @Test
    void oldInactiveVersion_isIncludedOnlyWhileItHasWorkspacesToCleanUp() {
        applyPythonV3AndGo();
        WorkspaceId oldRunning = seed.runningPrebuild(SMALL, T0, Map.of());
        // a claimed workspace of the old version is the user's: it does not keep the preset in the snapshot
        seed.claimed(LARGE, "bob", T0, T0.plusSeconds(1), Map.of());
        store.presets().apply(new PresetsDocument(List.of(new TemplateDefinition("python-dev", "v4", false, false, List.of(
                new PresetDefinition("small", Map.of("cpu", "2"), PrebuildPolicy.of(3)))))), T0.plusSeconds(60));

        Snapshot snapshot = load(Scope.ALL);

        PresetId newSmall = new PresetId("python-dev", "v4", "small");
        assertThat(snapshot.presets()).extracting(PresetSnapshot::id).containsExactly(GO, SMALL, newSmall);
        PresetSnapshot old = snapshot.presets().get(1);
        assertThat(old.activity()).isEqualTo(new Activity(false, false, false));
        assertThat(old.activity().isActive()).isFalse();
        assertThat(old.running()).extracting(Prebuild::id).containsExactly(oldRunning);

        // a queued create of an old version keeps it too, so the pass can cancel it
        seed.startingPrebuild(LARGE, T0.plusSeconds(61));
        assertThat(load(Scope.ALL).presets()).extracting(PresetSnapshot::id).containsExactly(GO, LARGE, SMALL, newSmall);
    }
}
