package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.PresetHistoryPort.ClaimCounts;
import io.warmpool.application.port.out.PresetHistoryPort.PassRecord;
import io.warmpool.application.port.out.PresetHistoryPort.PoolSample;
import io.warmpool.application.port.out.PresetHistoryPort.PresetBuild;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JooqPresetHistoryAdapter} against real PostgreSQL. Database-only for now: claim counts and recent builds
 * are read from the events and builds tables, while the application's fake of this port ({@code FakeHistory})
 * returns canned values and knows no presets, so the same tests cannot run on it (docs/decisions.md, "One port
 * contract suite").
 */
class PresetHistoryDatabaseTest extends DatabaseTestBase {

    private static final Instant T0 = Seed.T0;

    private Seed seed;
    private JooqPresetHistoryAdapter history;
    private PresetId small;
    private PresetId large;

    @BeforeEach
    void setUp() {
        seed = new Seed(db);
        small = seed.preset("python-dev", "small", Map.of("cpu", "2"));
        large = seed.preset("go-dev", "large", Map.of("cpu", "8"));
        history = new JooqPresetHistoryAdapter(db.dsl(), new PresetIds());
    }

    private static PassRecord pass(String replica, Instant at, int creates) {
        return new PassRecord(at, Duration.ofMillis(12), replica, 2, creates, 1, 0, 0);
    }

    @Test
    void lastPass_isTheLatestOfAnyReplica_andEachReplicaKeepsOneRecord() {
        assertThat(history.lastPass()).isEmpty();

        history.recordPass(pass("r1", T0, 3), List.of());
        history.recordPass(pass("r2", T0.plusSeconds(5), 1), List.of());
        history.recordPass(pass("r1", T0.plusSeconds(9), 0), List.of());

        assertThat(history.lastPass()).contains(pass("r1", T0.plusSeconds(9), 0));
        assertThat(db.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.RECONCILE_PASSES)).isEqualTo(2);
    }

    @Test
    void samples_atMostOnePerPresetAndMinute_fromAnyReplica_oldestFirst_andPruned() {
        // given: two replicas sample the same minute; a later minute; a sample of an unknown preset
        history.recordPass(pass("r1", T0.plusSeconds(1), 0), List.of(
                new PoolSample(small, T0.plusSeconds(1), 3, 1, 2, 0), new PoolSample(large, T0.plusSeconds(1), 1, 0, 1, 0)));
        history.recordPass(pass("r2", T0.plusSeconds(30), 0), List.of(
                new PoolSample(small, T0.plusSeconds(30), 3, 2, 1, 0),
                new PoolSample(new PresetId("ghost", "v1", "none"), T0.plusSeconds(30), 1, 1, 0, 0)));
        history.recordPass(pass("r1", T0.plusSeconds(61), 0), List.of(new PoolSample(small, T0.plusSeconds(61), 3, 3, 0, 0)));

        // then
        assertThat(history.samples(small, T0)).containsExactly(
                new PoolSample(small, T0.plusSeconds(1), 3, 1, 2, 0), new PoolSample(small, T0.plusSeconds(61), 3, 3, 0, 0));
        assertThat(history.samples(small, T0.plusSeconds(2))).hasSize(1);
        assertThat(history.samples(large, T0)).hasSize(1);
        assertThat(history.samples(new PresetId("ghost", "v1", "none"), T0)).isEmpty();

        // when: pruned before the second minute
        history.prune(T0.plusSeconds(60));

        assertThat(history.samples(small, T0)).containsExactly(new PoolSample(small, T0.plusSeconds(61), 3, 3, 0, 0));
        assertThat(history.samples(large, T0)).isEmpty();
        assertThat(history.lastPass()).contains(pass("r1", T0.plusSeconds(61), 0));
        history.prune(T0.plusSeconds(62));
        assertThat(history.lastPass()).isEmpty();
    }

    @Test
    void claims_countsServedAndMissedOfThePresetSinceTheInstant() {
        JooqEventLogAdapter events = new JooqEventLogAdapter(db.dsl(), new PresetIds());
        events.publish(List.of(
                Event.of(T0.minusSeconds(1), EventType.CLAIM_SUCCEEDED, small, null),
                Event.of(T0, EventType.CLAIM_SUCCEEDED, small, null),
                Event.of(T0.plusSeconds(5), EventType.CLAIM_SUCCEEDED, small, null),
                Event.of(T0.plusSeconds(6), EventType.CLAIM_MISSED, small, null),
                Event.of(T0.plusSeconds(7), EventType.CLAIM_MISSED, large, null),
                Event.of(T0.plusSeconds(8), EventType.CREATE_STARTED, small, null)));

        assertThat(history.claims(small, T0)).isEqualTo(new ClaimCounts(2, 1));
        assertThat(history.claims(large, T0)).isEqualTo(new ClaimCounts(0, 1));
        assertThat(history.claims(small, T0.plusSeconds(60))).isEqualTo(new ClaimCounts(0, 0));
    }

    @Test
    void recentBuilds_newestFirst_onlyThePresets_withTheirErrors() {
        WorkspaceId a = seed.workspace(small, "prebuilds", WorkspacePhase.running, T0, Map.of());
        WorkspaceId b = seed.workspace(small, "prebuilds", WorkspacePhase.failed, T0.plusSeconds(10), Map.of());
        seed.workspace(large, "prebuilds", WorkspacePhase.running, T0.plusSeconds(20), Map.of());
        seed.dsl().execute("update builds set error_code = 'failed', error = 'boom' where workspace_id = ?", b.value());

        List<PresetBuild> builds = history.recentBuilds(small, 10);

        assertThat(builds).extracting(PresetBuild::workspace).containsExactly(b, a);
        assertThat(builds.get(0).build().status()).isEqualTo("failed");
        assertThat(builds.get(0).build().error()).isEqualTo("boom");
        assertThat(builds.get(1).build().status()).isEqualTo("succeeded");
        assertThat(history.recentBuilds(small, 1)).extracting(PresetBuild::workspace).containsExactly(b);
    }

    @Test
    void recentBuilds_pageByPage_beforeTheLastId_everyBuildOnceNewestFirst() {
        for (int i = 0; i < 5; i++) {
            seed.workspace(small, "prebuilds", WorkspacePhase.running, T0.plusSeconds(i), Map.of());
        }
        seed.workspace(large, "prebuilds", WorkspacePhase.running, T0.plusSeconds(9), Map.of());
        List<Long> all = history.recentBuilds(small, 100).stream().map(b -> b.build().id().value()).toList();

        List<Long> walked = new java.util.ArrayList<>();
        long before = Long.MAX_VALUE;
        while (true) {
            List<PresetBuild> page = history.recentBuilds(small, before, 2);
            page.forEach(b -> walked.add(b.build().id().value()));
            if (page.size() < 2) {
                break;
            }
            before = page.get(1).build().id().value();
        }

        assertThat(all).hasSize(5).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(walked).containsExactlyElementsOf(all);
    }
}
