package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract of {@link WorkspacePort}: finding and listing workspaces, and a workspace's builds. */
public abstract class WorkspacePortContract extends PortContract {

    protected static final Instant NOW = T0.plusSeconds(3600);
    protected static final WorkerId WORKER = new WorkerId("host-a/w1");

    private WorkspacePort workspaces;
    private PresetId small;
    private PresetId large;

    @BeforeEach
    void presets() {
        workspaces = store.workspaces();
        small = seed.preset("python-dev", "small", Map.of("cpu", "2"));
        large = seed.preset("rust-dev", "large", Map.of("cpu", "8"));
    }

    private static List<WorkspaceId> ids(List<WorkspaceView> views) {
        return views.stream().map(WorkspaceView::id).toList();
    }

    @Test
    void givenNoSuchWorkspace_findIsEmpty() {
        assertThat(workspaces.find(new WorkspaceId(UUID.randomUUID()))).isEmpty();
    }

    @Test
    void givenAClaimedWorkspace_findShowsItsOwnerPresetPhaseAndOutputs() {
        WorkspaceId id = seed.claimed(small, "alice", T0, T0.plusSeconds(60), Map.of("url", "https://a"));

        WorkspaceView view = workspaces.find(id).orElseThrow();

        assertThat(view.id()).isEqualTo(id);
        assertThat(view.owner()).isEqualTo("alice");
        assertThat(view.claimed()).isTrue();
        assertThat(view.name()).isEqualTo("alice-dev");
        assertThat(view.preset()).isEqualTo(small);
        assertThat(view.phase()).isEqualTo(Phase.RUNNING);
        assertThat(view.createdAt()).isEqualTo(T0);
        assertThat(view.claimedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(view.outputs()).containsOnly(Map.entry("url", "https://a"));
    }

    @Test
    void givenManyWorkspaces_listShowsTheNewestFirstUpToTheLimit() {
        List<WorkspaceId> sameInstant = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sameInstant.add(seed.runningPrebuild(small, T0.plusSeconds(10), Map.of()));
        }
        WorkspaceId oldest = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId newest = seed.runningPrebuild(large, T0.plusSeconds(20), Map.of());

        List<WorkspaceId> all = ids(workspaces.list(null, null, 10));
        List<WorkspaceId> firstTwo = ids(workspaces.list(null, null, 2));

        List<WorkspaceId> tiesByIdDescending = sameInstant.stream().sorted(Comparator.reverseOrder()).toList();
        List<WorkspaceId> expected = new ArrayList<>();
        expected.add(newest);
        expected.addAll(tiesByIdDescending);
        expected.add(oldest);
        assertThat(all).containsExactlyElementsOf(expected);
        assertThat(firstTwo).containsExactlyElementsOf(expected.subList(0, 2));
    }

    @Test
    void givenPagesOfTwo_walkingWithTheLastKeyListsEveryWorkspaceOnceInOrder() {
        List<WorkspaceId> sameInstant = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sameInstant.add(seed.runningPrebuild(small, T0.plusSeconds(10), Map.of()));
        }
        seed.runningPrebuild(small, T0, Map.of());
        seed.runningPrebuild(large, T0.plusSeconds(20), Map.of());
        seed.runningPrebuild(small, T0.plusSeconds(30), Map.of());
        List<WorkspaceId> expected = ids(workspaces.list(null, null, 100));
        List<WorkspaceId> expectedSmall = ids(workspaces.list(small, null, 100));

        assertThat(walk(null, 2)).hasSize(7).doesNotHaveDuplicates().containsExactlyElementsOf(expected);
        assertThat(walk(null, 3)).containsExactlyElementsOf(expected);
        assertThat(walk(small, 2)).hasSize(6).containsExactlyElementsOf(expectedSmall);
        // the key of a page's end need not exist any more: the next page starts after its place
        WorkspacePort.WorkspaceView third = workspaces.list(null, null, 3).get(2);
        WorkspacePort.ListKey gone = new WorkspacePort.ListKey(third.createdAt(), new WorkspaceId(new UUID(0, 0)));
        assertThat(ids(workspaces.list(null, null, gone, 100)))
                .containsExactlyElementsOf(expected.subList(2, expected.size()).stream()
                        .filter(id -> !third.createdAt().equals(workspaces.find(id).orElseThrow().createdAt()))
                        .toList());
    }

    private List<WorkspaceId> walk(PresetId preset, int pageSize) {
        List<WorkspaceId> out = new ArrayList<>();
        WorkspacePort.ListKey after = null;
        for (int pages = 0; pages < 20; pages++) {
            List<WorkspacePort.WorkspaceView> page = workspaces.list(preset, null, after, pageSize);
            page.forEach(w -> out.add(w.id()));
            if (page.size() < pageSize) {
                return out;
            }
            WorkspacePort.WorkspaceView last = page.get(page.size() - 1);
            after = new WorkspacePort.ListKey(last.createdAt(), last.id());
        }
        throw new AssertionError("the walk did not end");
    }

    @Test
    void givenPresetAndOwnerFilters_listShowsOnlyMatchingWorkspaces() {
        // Claims take the oldest prebuild, so the claimed ones are seeded first.
        WorkspaceId smallAlice = seed.claimed(small, "alice", T0.plusSeconds(1), NOW, Map.of());
        WorkspaceId largeAlice = seed.claimed(large, "alice", T0.plusSeconds(2), NOW, Map.of());
        WorkspaceId smallPrebuild = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId largePrebuild = seed.runningPrebuild(large, T0.plusSeconds(3), Map.of());

        assertThat(ids(workspaces.list(small, null, 100))).containsExactly(smallAlice, smallPrebuild);
        assertThat(ids(workspaces.list(null, "alice", 100))).containsExactly(largeAlice, smallAlice);
        assertThat(ids(workspaces.list(large, "alice", 100))).containsExactly(largeAlice);
        assertThat(ids(workspaces.list(large, WorkspacePort.PREBUILDS_OWNER, 100))).containsExactly(largePrebuild);
        assertThat(workspaces.list(new PresetId("python-dev", "v9", "small"), null, 100)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1001})
    void givenALimitOutOfRange_listIsRejected(int limit) {
        assertThatThrownBy(() -> workspaces.list(null, null, limit))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void givenAWorkspaceWithHistory_buildsListsThemOldestFirstWithTheirErrors() {
        BuildQueuePort queue = store.queue();
        WorkspaceId id = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(id, "prebuild-x", small)), NOW);
        Job first = queue.acquire(WORKER, NOW).orElseThrow();
        queue.release(first.id(), WORKER, "circuit open", NOW.plusSeconds(1), NOW);
        Job second = queue.acquire(WORKER, NOW.plusSeconds(1)).orElseThrow();
        queue.complete(second.id(), WORKER, new JobResult.Succeeded(Map.of("url", "u"), "ok"), NOW.plusSeconds(5),
                s -> new FailureTransition(s, FailureState.initial()));
        queue.enqueueDeletes(List.of(new DeleteRequest(id, small, DeleteRequest.Reason.EXPIRED)), NOW.plusSeconds(10));
        Job delete = queue.acquire(WORKER, NOW.plusSeconds(10)).orElseThrow();
        queue.complete(delete.id(), WORKER, new JobResult.Failed("failed", "host unreachable", false, "tail"),
                NOW.plusSeconds(12), s -> new FailureTransition(s, new FailureState(1, NOW, NOW, PresetStatus.HEALTHY)));

        List<BuildView> builds = workspaces.builds(id);

        assertThat(builds).hasSize(2);
        BuildView create = builds.get(0);
        assertThat(create.id()).isEqualTo(first.id());
        assertThat(create.transition()).isEqualTo(Transition.CREATE);
        assertThat(create.status()).isEqualTo("succeeded");
        assertThat(create.reason()).isEqualTo("DESIRED");
        assertThat(create.attempt()).isEqualTo(2);
        assertThat(create.createdAt()).isEqualTo(NOW);
        assertThat(create.startedAt()).isEqualTo(NOW.plusSeconds(1));
        assertThat(create.finishedAt()).isEqualTo(NOW.plusSeconds(5));
        assertThat(create.errorCode()).isNull();
        assertThat(create.log()).isEqualTo("ok");
        BuildView failedDelete = builds.get(1);
        assertThat(failedDelete.transition()).isEqualTo(Transition.DELETE);
        assertThat(failedDelete.status()).isEqualTo("failed");
        assertThat(failedDelete.reason()).isEqualTo("EXPIRED");
        assertThat(failedDelete.errorCode()).isEqualTo("failed");
        assertThat(failedDelete.error()).isEqualTo("host unreachable");
        assertThat(failedDelete.log()).isEqualTo("tail");
        assertThat(workspaces.find(id).orElseThrow().phase()).isEqualTo(Phase.FAILED);
        // one build a page, after the last one's id: each once, oldest first
        assertThat(workspaces.builds(id, 0, 1)).extracting(BuildView::id).containsExactly(first.id());
        assertThat(workspaces.builds(id, first.id().value(), 1)).extracting(BuildView::id).containsExactly(delete.id());
        assertThat(workspaces.builds(id, delete.id().value(), 1)).isEmpty();
        assertThat(workspaces.builds(id, 0, 1001)).isEqualTo(builds);
        assertThatThrownBy(() -> workspaces.builds(id, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenNoSuchWorkspace_buildsIsEmpty() {
        assertThat(workspaces.builds(new WorkspaceId(UUID.randomUUID()))).isEmpty();
    }
}
