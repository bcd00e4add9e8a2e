package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimPort.Attempt;
import io.warmpool.application.port.out.ClaimPort.Claimed;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotent claims on real PostgreSQL: what only the database shows. The port's behaviour (replay, conflict,
 * misses not stored, the window, concurrent claims with one key) is {@code ClaimPortContract}'s; this shows the
 * race decided by the primary key step by step — a claim whose key another transaction is inserting waits for it,
 * and its own hand-over is undone — and the bounded pruning of expired keys.
 */
class ClaimIdempotencyDatabaseTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plus(Duration.ofHours(10));
    private static final PresetRef SMALL = new PresetRef("python-dev", "small");

    private Seed seed;
    private JooqWorkspaceAdapter claims;

    @BeforeEach
    void cleanState() {
        seed = new Seed(db);
        claims = new JooqWorkspaceAdapter(db.dsl(), new PresetIds());
    }

    private int storedKeys() {
        return db.dsl().fetchCount(DSL.table("claim_idempotency_keys"));
    }

    private String owner(WorkspaceId id) {
        return claims.find(id).orElseThrow().owner();
    }

    @Test
    void givenAnotherTransactionInsertingTheKey_theClaimWaitsForItThenAnswersItsClaimAndGivesItsPrebuildBack()
            throws Exception {
        PresetId preset = seed.preset("python-dev", "small", Map.of());
        WorkspaceId prebuild = seed.runningPrebuild(preset, T0, Map.of());
        UUID theirs = UUID.randomUUID();
        try (Connection other = db.openDedicatedConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement insert = other.prepareStatement("""
                    insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                        workspace_created_at, claimed_at, outputs)
                    values ('k-1', 'python-dev', 'small', 'alice', ?, 'v1', 'theirs', ?::timestamptz, ?::timestamptz,
                            '{"url": "https://theirs"}'::jsonb)""")) {
                insert.setObject(1, theirs);
                insert.setString(2, T0.toString());
                insert.setString(3, NOW.toString());
                insert.executeUpdate();
            }

            CompletableFuture<Attempt> claim = CompletableFuture.supplyAsync(
                    () -> claims.claim(SMALL, "alice", "mine", NOW, "k-1"));
            // It took the prebuild and now waits on the other transaction's key.
            await().atMost(Duration.ofSeconds(20)).until(() -> db.dsl().fetchCount(
                    DSL.table("pg_locks"), DSL.field("granted").isFalse()) > 0);
            assertThat(claim).isNotDone();
            other.commit();

            Attempt attempt = claim.get(20, TimeUnit.SECONDS);
            assertThat(attempt).isInstanceOf(Claimed.class);
            Claimed claimed = (Claimed) attempt;
            assertThat(claimed.replayed()).isTrue();
            assertThat(claimed.workspace().id()).isEqualTo(new WorkspaceId(theirs));
            assertThat(claimed.workspace().name()).isEqualTo("theirs");
            assertThat(claimed.workspace().outputs()).containsOnly(Map.entry("url", "https://theirs"));
            assertThat(owner(prebuild)).as("its hand-over was undone with its insert")
                    .isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        }
    }

    @Test
    void givenExpiredKeys_eachKeyedClaimDeletesABoundedBatchOfThemOldestFirst() {
        PresetId preset = seed.preset("python-dev", "small", Map.of());
        int old = 2 * JooqWorkspaceAdapter.PRUNE_PER_CLAIM + 3;
        for (int i = 0; i < old + 3; i++) {
            seed.runningPrebuild(preset, T0.plusMillis(i), Map.of());
        }
        for (int i = 0; i < old; i++) {
            claims.claim(SMALL, "alice", "w" + i, NOW.plusMillis(i), "old-" + i);
        }
        assertThat(storedKeys()).isEqualTo(old);
        Instant later = NOW.plus(ClaimPort.IDEMPOTENCY_WINDOW).plusSeconds(60);

        claims.claim(SMALL, "bob", "b1", later, "new-1");
        int afterOne = storedKeys();
        claims.claim(SMALL, "bob", "b2", later, "new-2");
        int afterTwo = storedKeys();
        claims.claim(SMALL, "bob", "b3", later, "new-3");
        int afterThree = storedKeys();
        // A miss stores nothing but still prunes.
        claims.claim(SMALL, "bob", "b4", later, "new-4");

        assertThat(afterOne).isEqualTo(old - JooqWorkspaceAdapter.PRUNE_PER_CLAIM + 1);
        assertThat(afterTwo).isEqualTo(old - 2 * JooqWorkspaceAdapter.PRUNE_PER_CLAIM + 2);
        assertThat(afterThree).as("the backlog is drained").isEqualTo(3);
        assertThat(db.dsl().fetch("select key from claim_idempotency_keys order by key").getValues(0, String.class))
                .containsExactly("new-1", "new-2", "new-3");
        assertThat(storedKeys()).isEqualTo(3);
    }

    @Test
    void givenAKeyOutsideTheFormat_theDatabaseRefusesItToo() {
        assertThatThrownBy(() -> db.dsl().execute("""
                insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                    workspace_created_at, claimed_at, outputs)
                values ('has space', 't', 'p', 'o', gen_random_uuid(), 'v1', 'n', now(), now(), '{}'::jsonb)"""))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("claim_idempotency_keys_key_format");
    }
}
