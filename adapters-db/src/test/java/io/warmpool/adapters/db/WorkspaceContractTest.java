package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Injector;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
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
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JooqWorkspaceAdapter} as {@link WorkspacePort}, against real PostgreSQL. */
class WorkspaceContractTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plusSeconds(3600);
    private static final WorkerId WORKER = new WorkerId("host-a/w1");


    private Seed seed;
    private JooqWorkspaceAdapter workspaces;
    private PresetId small;
    private PresetId large;



    @BeforeEach
    void cleanState() {
        seed = new Seed(db);
        workspaces = new JooqWorkspaceAdapter(db.dsl(), new PresetIds());
        small = seed.preset("python-dev", "small", Map.of("cpu", "2"));
        large = seed.preset("rust-dev", "large", Map.of("cpu", "8"));
    }

    @Test
    void givenNoSuchWorkspace_findIsEmpty() {
        assertThat(workspaces.find(new WorkspaceId(UUID.randomUUID()))).isEmpty();
    }

    @Test
    void givenAClaimedWorkspace_findShowsItsOwnerPresetPhaseAndOutputs() {
        WorkspaceId id = seed.workspace(small, "alice", WorkspacePhase.running, T0, Map.of("url", "https://a"));

        WorkspaceView view = workspaces.find(id).orElseThrow();

        assertThat(view.id()).isEqualTo(id);
        assertThat(view.owner()).isEqualTo("alice");
        assertThat(view.claimed()).isTrue();
        assertThat(view.name()).isEqualTo(seed.workspace(id).getName());
        assertThat(view.preset()).isEqualTo(small);
        assertThat(view.phase()).isEqualTo(Phase.RUNNING);
        assertThat(view.createdAt()).isEqualTo(T0);
        assertThat(view.claimedAt()).isEqualTo(T0);
        assertThat(view.outputs()).containsOnly(Map.entry("url", "https://a"));
    }

    @ParameterizedTest
    @EnumSource(WorkspacePhase.class)
    void everyStoredPhase_mapsToThePortsPhaseOfTheSameName(WorkspacePhase phase) {
        WorkspaceId id = seed.workspace(small, WorkspacePort.PREBUILDS_OWNER, phase, T0, Map.of());

        WorkspaceView view = workspaces.find(id).orElseThrow();

        assertThat(view.phase().name()).isEqualToIgnoringCase(phase.getLiteral());
        assertThat(view.claimed()).isFalse();
        assertThat(view.claimedAt()).isNull();
    }

    @Test
    void givenManyWorkspaces_listShowsTheNewestFirstUpToTheLimit() {
        List<WorkspaceId> sameInstant = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sameInstant.add(seed.runningPrebuild(small, T0.plusSeconds(10), Map.of()));
        }
        WorkspaceId oldest = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId newest = seed.runningPrebuild(large, T0.plusSeconds(20), Map.of());

        List<WorkspaceId> all = workspaces.list(null, null, 10).stream().map(WorkspaceView::id).toList();
        List<WorkspaceId> firstTwo = workspaces.list(null, null, 2).stream().map(WorkspaceView::id).toList();

        List<WorkspaceId> tiesByIdDescending = sameInstant.stream().sorted(Comparator.reverseOrder()).toList();
        List<WorkspaceId> expected = new ArrayList<>();
        expected.add(newest);
        expected.addAll(tiesByIdDescending);
        expected.add(oldest);
        assertThat(all).containsExactlyElementsOf(expected);
        assertThat(firstTwo).containsExactlyElementsOf(expected.subList(0, 2));
    }

    @Test
    void givenPresetAndOwnerFilters_listShowsOnlyMatchingWorkspaces() {
        WorkspaceId smallPrebuild = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId smallAlice = seed.workspace(small, "alice", WorkspacePhase.running, T0.plusSeconds(1), Map.of());
        WorkspaceId largeAlice = seed.workspace(large, "alice", WorkspacePhase.running, T0.plusSeconds(2), Map.of());
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
        JooqBuildQueueAdapter queue = new JooqBuildQueueAdapter(db.dsl(), new PresetIds());
        WorkspaceId id = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(id, "prebuild-x", small)), NOW);
        Job first = queue.acquire(WORKER, NOW).orElseThrow();
        queue.release(first.id(), WORKER, "circuit open", NOW.plusSeconds(1), NOW);
        Job second = queue.acquire(WORKER, NOW.plusSeconds(1)).orElseThrow();
        queue.complete(second.id(), WORKER, new JobResult.Succeeded(Map.of("url", "u"), "ok"), NOW.plusSeconds(5),
                s -> new FailureTransition(s, FailureState.initial()));
        queue.enqueueDeletes(List.of(new DeleteRequest(id, small, "EXPIRED")), NOW.plusSeconds(10));
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
    }

    @Test
    void givenNoSuchWorkspace_buildsIsEmpty() {
        assertThat(workspaces.builds(new WorkspaceId(UUID.randomUUID()))).isEmpty();
    }

    @Test
    void givenPostgresModule_queueClaimsAndWorkspacesWorkTogether() {
        Injector adapters = PostgresModuleOver.started(db, Clock.fixed(NOW, ZoneOffset.UTC));
        BuildQueuePort queue = adapters.getInstance(BuildQueuePort.class);
        WorkspaceId id = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(id, "prebuild-y", small)), NOW);
        Job job = queue.acquire(WORKER, NOW).orElseThrow();
        queue.complete(job.id(), WORKER, new JobResult.Succeeded(Map.of("url", "u"), ""), NOW,
                s -> new FailureTransition(s, FailureState.initial()));

        ClaimPort.Attempt attempt = adapters.getInstance(ClaimPort.class).claim(new PresetRef("python-dev", "small"), "alice", "mine", NOW);

        assertThat(attempt).isInstanceOf(ClaimPort.Claimed.class);
        WorkspaceView view = adapters.getInstance(WorkspacePort.class).find(id).orElseThrow();
        assertThat(view.owner()).isEqualTo("alice");
        assertThat(view.name()).isEqualTo("mine");
        assertThat(view.phase()).isEqualTo(Phase.RUNNING);
        assertThat(view.outputs()).containsEntry("url", "u");
    }

    private static List<WorkspaceId> ids(List<WorkspaceView> views) {
        return views.stream().map(WorkspaceView::id).toList();
    }
}
