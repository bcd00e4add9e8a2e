package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.records.WorkspacesRecord;
import io.warmpool.application.port.out.ClaimPort.Attempt;
import io.warmpool.application.port.out.ClaimPort.Claimed;
import io.warmpool.application.port.out.ClaimPort.ClaimedWorkspace;
import io.warmpool.application.port.out.ClaimPort.Missed;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link JooqWorkspaceAdapter} as {@link io.warmpool.application.port.out.ClaimPort}, against real PostgreSQL. */
class ClaimContractTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plus(Duration.ofHours(10));
    private static final PresetRef SMALL = new PresetRef("python-dev", "small");


    private Seed seed;
    private JooqWorkspaceAdapter claims;



    @BeforeEach
    void cleanState() {
        seed = new Seed(db);
        claims = new JooqWorkspaceAdapter(db.dsl(), new PresetIds());
    }

    private PresetId small() {
        return seed.preset("python-dev", "small", Map.of("cpu", "2"));
    }

    private PresetId smallWithTtl(Duration ttl) {
        return seed.preset("python-dev", "v1", "small", Map.of("cpu", "2"), ttl, false, false);
    }

    private static ClaimedWorkspace claimed(Attempt attempt) {
        assertThat(attempt).isInstanceOf(Claimed.class);
        return ((Claimed) attempt).workspace();
    }

    @Test
    void givenRunningPrebuilds_claimHandsOverTheOldestWithItsOutputs() {
        PresetId preset = small();
        WorkspaceId newer = seed.runningPrebuild(preset, T0.plusSeconds(20), Map.of("url", "https://newer"));
        WorkspaceId oldest = seed.runningPrebuild(preset, T0.plusSeconds(10), Map.of("url", "https://oldest", "ip", "10.0.0.7"));

        ClaimedWorkspace ws = claimed(claims.claim(SMALL, "alice", "alice-dev", NOW));

        assertThat(ws.id()).isEqualTo(oldest);
        assertThat(ws.owner()).isEqualTo("alice");
        assertThat(ws.name()).isEqualTo("alice-dev");
        assertThat(ws.preset()).isEqualTo(preset);
        assertThat(ws.createdAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(ws.claimedAt()).isEqualTo(NOW);
        assertThat(ws.outputs()).containsOnly(Map.entry("url", "https://oldest"), Map.entry("ip", "10.0.0.7"));
        WorkspacesRecord row = seed.workspace(oldest);
        assertThat(row.getOwner()).isEqualTo("alice");
        assertThat(row.getName()).isEqualTo("alice-dev");
        assertThat(row.getClaimedAt()).isEqualTo(NOW);
        assertThat(row.getPhase()).isEqualTo(WorkspacePhase.running);
        assertThat(seed.workspace(newer).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenPrebuildsCreatedAtTheSameInstant_claimBreaksTheTieById() {
        PresetId preset = small();
        List<WorkspaceId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(seed.runningPrebuild(preset, T0, Map.of()));
        }
        // PostgreSQL orders uuids bytewise, which is the order of their canonical lowercase text (WorkspaceId's).
        List<WorkspaceId> expected = ids.stream().sorted(Comparator.naturalOrder()).toList();

        List<WorkspaceId> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(claimed(claims.claim(SMALL, "u" + i, "n" + i, NOW)).id());
        }

        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void givenNoPrebuild_claimMisses() {
        PresetId preset = small();

        Attempt attempt = claims.claim(SMALL, "alice", "dev", NOW);

        assertThat(attempt).isEqualTo(new Missed(preset));
    }

    @Test
    void givenAllPrebuildsClaimed_theNextClaimMisses() {
        PresetId preset = small();
        seed.runningPrebuild(preset, T0, Map.of());

        claimed(claims.claim(SMALL, "alice", "dev", NOW));

        assertThat(claims.claim(SMALL, "bob", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @ParameterizedTest
    @EnumSource(value = WorkspacePhase.class, names = {"starting", "failed", "deleting", "deleted"})
    void givenOnlyAPrebuildThatIsNotRunning_claimMisses(WorkspacePhase phase) {
        PresetId preset = small();
        WorkspaceId ws = seed.workspace(preset, WorkspacePort.PREBUILDS_OWNER, phase, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isInstanceOf(Missed.class);
        assertThat(seed.workspace(ws).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenOnlyAnotherUsersWorkspace_claimMisses() {
        PresetId preset = small();
        WorkspaceId bobs = seed.workspace(preset, "bob", WorkspacePhase.running, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isInstanceOf(Missed.class);
        assertThat(seed.workspace(bobs).getOwner()).isEqualTo("bob");
    }

    @Test
    void givenATtl_expiredPrebuildsAreNeverClaimed() {
        Duration ttl = Duration.ofHours(1);
        PresetId preset = smallWithTtl(ttl);
        WorkspaceId expiredExactly = seed.runningPrebuild(preset, NOW.minus(ttl), Map.of()); // now − createdAt = ttl
        WorkspaceId muchOlder = seed.runningPrebuild(preset, NOW.minus(ttl).minusSeconds(60), Map.of());
        WorkspaceId justInside = seed.runningPrebuild(preset, NOW.minus(ttl).plusMillis(1), Map.of());

        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW));
        Attempt second = claims.claim(SMALL, "bob", "dev", NOW);

        assertThat(first.id()).isEqualTo(justInside);
        assertThat(second).isInstanceOf(Missed.class);
        assertThat(seed.workspace(expiredExactly).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(seed.workspace(muchOlder).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAnInvalidatedPreset_olderPrebuildsAreNeverClaimedButOneCreatedAtTheInvalidationIs() {
        PresetId preset = small();
        Instant invalidatedAt = T0.plusSeconds(100);
        WorkspaceId before = seed.runningPrebuild(preset, invalidatedAt.minusMillis(1), Map.of());
        WorkspaceId atTheInstant = seed.runningPrebuild(preset, invalidatedAt, Map.of());
        seed.invalidate(preset, invalidatedAt);

        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW));
        Attempt second = claims.claim(SMALL, "bob", "dev", NOW);

        assertThat(first.id()).isEqualTo(atTheInstant);
        assertThat(second).isInstanceOf(Missed.class);
        assertThat(seed.workspace(before).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenADeprecatedTemplate_claimMissesEvenWithRunningPrebuilds() {
        PresetId preset = seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, true, false);
        seed.runningPrebuild(preset, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @Test
    void givenADeletedTemplate_claimMissesEvenWithRunningPrebuilds() {
        PresetId preset = seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, false, true);
        seed.runningPrebuild(preset, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @Test
    void givenANewerActiveVersion_claimTakesOnlyThatVersionsPrebuilds() {
        PresetId v1 = seed.preset("python-dev", "v1", "small", Map.of("cpu", "2"), Duration.ZERO, false, false);
        WorkspaceId oldVersion = seed.runningPrebuild(v1, T0, Map.of());
        PresetId v2 = seed.preset("python-dev", "v2", "small", Map.of("cpu", "4"), Duration.ZERO, false, false);

        Attempt none = claims.claim(SMALL, "alice", "dev", NOW);
        WorkspaceId current = seed.runningPrebuild(v2, T0.plusSeconds(5), Map.of());
        ClaimedWorkspace got = claimed(claims.claim(SMALL, "alice", "dev", NOW));

        assertThat(none).isEqualTo(new Missed(v2));
        assertThat(got.id()).isEqualTo(current);
        assertThat(got.preset()).isEqualTo(v2);
        assertThat(seed.workspace(oldVersion).getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAnUnknownTemplate_claimThrowsNotFoundNamingThePreset() {
        small();

        assertThatThrownBy(() -> claims.claim(new PresetRef("go-dev", "small"), "alice", "dev", NOW))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("go-dev/small")
                .hasMessageContaining("no template go-dev");
    }

    @Test
    void givenAPresetMissingFromTheActiveVersion_claimThrowsNotFoundNamingThePresetAndVersion() {
        seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, false, false);
        seed.preset("python-dev", "v2", "large", Map.of(), Duration.ZERO, false, false);

        assertThatThrownBy(() -> claims.claim(SMALL, "alice", "dev", NOW))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("python-dev/small")
                .hasMessageContaining("v2");
    }

    @Test
    void givenThePrebuildsOwnerAsClaimant_claimIsRejected() {
        small();

        assertThatThrownBy(() -> claims.claim(SMALL, WorkspacePort.PREBUILDS_OWNER, "dev", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenSixteenConcurrentClaimantsAndFiftyPrebuilds_eachPrebuildIsClaimedOnce() throws Exception {
        PresetId preset = small();
        for (int i = 0; i < 50; i++) {
            seed.runningPrebuild(preset, T0.plusMillis(i), Map.of("n", Integer.toString(i)));
        }
        int threads = 16;
        int claimsPerThread = 5; // 80 attempts for 50 prebuilds
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String owner = "user-" + t;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < claimsPerThread; i++) {
                        attempts.add(claims.claim(SMALL, owner, owner + "-ws-" + i, NOW));
                    }
                    return null;
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<ClaimedWorkspace> won = attempts.stream()
                .flatMap(a -> a instanceof Claimed c ? Stream.of(c.workspace()) : Stream.empty()).toList();
        assertThat(attempts).hasSize(threads * claimsPerThread);
        assertThat(won).hasSize(50).extracting(ClaimedWorkspace::id).doesNotHaveDuplicates();
        assertThat(attempts).filteredOn(a -> a instanceof Missed).hasSize(threads * claimsPerThread - 50);
        // The database agrees with what each claimant was told: one owner and name per workspace.
        for (ClaimedWorkspace ws : won) {
            WorkspacesRecord row = seed.workspace(ws.id());
            assertThat(row.getOwner()).isEqualTo(ws.owner());
            assertThat(row.getName()).isEqualTo(ws.name());
        }
        assertThat(seed.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.WORKSPACES,
                io.warmpool.adapters.db.jooq.Tables.WORKSPACES.OWNER.eq(WorkspacePort.PREBUILDS_OWNER))).isZero();
    }
}
