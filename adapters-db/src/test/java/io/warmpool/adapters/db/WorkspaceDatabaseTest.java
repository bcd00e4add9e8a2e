package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link JooqWorkspaceAdapter} as {@link WorkspacePort} on real PostgreSQL: what only the database has. The port's
 * contract is {@code WorkspacePortContract} (run here by {@link PostgresWorkspaceContractTest}, and on the fake in
 * application); these stay database-only: the mapping of every stored {@code workspace_phase} value (rows in phases
 * the ports only reach through whole build histories) and {@link PostgresModule}'s wiring of one database's
 * adapters.
 */
class WorkspaceDatabaseTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plusSeconds(3600);
    private static final WorkerId WORKER = new WorkerId("host-a/w1");

    private Seed seed;
    private JooqWorkspaceAdapter workspaces;
    private PresetId small;

    @BeforeEach
    void cleanState() {
        seed = new Seed(db);
        workspaces = new JooqWorkspaceAdapter(db.dsl(), new PresetIds());
        small = seed.preset("python-dev", "small", Map.of("cpu", "2"));
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
