package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.jooq.tables.records.WorkspacesRecord;
import io.warmpool.application.port.out.ClaimPort.Attempt;
import io.warmpool.application.port.out.ClaimPort.Claimed;
import io.warmpool.application.port.out.ClaimPort.ClaimedWorkspace;
import io.warmpool.application.port.out.ClaimPort.Missed;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

/**
 * {@link JooqWorkspaceAdapter} as {@link io.warmpool.application.port.out.ClaimPort} on real PostgreSQL: what only a
 * database has. The port's contract is {@code ClaimPortContract} (run here by {@link PostgresClaimContractTest}, and
 * on the fake in application); this stays database-only because it races concurrent claimants on real rows
 * ({@code FOR UPDATE SKIP LOCKED} across connections), which the fake's one lock cannot show.
 */
class ClaimDatabaseTest extends DatabaseTestBase {

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
