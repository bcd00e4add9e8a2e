package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.contract.PortSeed;
import io.warmpool.application.port.out.contract.StorePorts;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one race of keyed claims that timing alone rarely shows, made certain: another claim under the same key has
 * taken the preset's only prebuild and not committed yet. The claim under test skips the locked row and finds nothing;
 * it must then wait for the other and answer with its claim, never "no prebuild available" (a clean-clone CI run
 * showed that answer to one of six concurrent requests with one key).
 */
class KeyedClaimRaceTest {

    @RegisterExtension
    static final PostgresStore DB = new PostgresStore();

    private static final PresetRef SMALL = new PresetRef("python-dev", "small");
    private static final Instant NOW = PortSeed.T0.plusSeconds(3600);

    private StorePorts store;
    private PresetId preset;
    private WorkspaceId only;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @BeforeEach
    void onePrebuild() {
        store = DB.emptied();
        PortSeed seed = new PortSeed(store);
        preset = seed.preset("python-dev", "small", Map.of("cpu", "2"));
        only = seed.runningPrebuild(preset, PortSeed.T0, Map.of("url", "https://only"));
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aKeyedReservationThatFindsTheOnlyPrebuildHeldByAnotherOfItsKey_answersInProgress_notAMiss() throws Exception {
        try (Connection other = DB.db().openDedicatedConnection()) {
            other.setAutoCommit(false);
            // the other reservation's statement, caught before its commit: the row locked, the key inserted pending
            exec(other, "update workspaces set phase = 'claiming', claiming_at = ? where id = ?", ts(NOW), only.value());
            insertKey(other, "race-key", true);

            Future<ClaimPort.Attempt> answer = pool.submit(() -> store.claims().reserve(SMALL, "alice", "dev", NOW, "race-key"));
            awaitAnsweredOrWaitingForALock(answer);
            other.commit();

            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new ClaimPort.InProgress(preset));
        }
    }

    @Test
    void aKeyedClaimThatFindsTheOnlyPrebuildHeldByAnotherOfItsKey_answersThatClaim_notAMiss() throws Exception {
        try (Connection other = DB.db().openDedicatedConnection()) {
            other.setAutoCommit(false);
            exec(other, "update workspaces set owner = 'alice', name = 'dev', claimed_at = ? where id = ?", ts(NOW), only.value());
            insertKey(other, "race-key-2", false);

            Future<ClaimPort.Attempt> answer = pool.submit(() -> store.claims().claim(SMALL, "alice", "dev", NOW, "race-key-2"));
            awaitAnsweredOrWaitingForALock(answer);
            other.commit();

            assertThat(answer.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(ClaimPort.Claimed.class, c -> {
                assertThat(c.replayed()).isTrue();
                assertThat(c.workspace().id()).isEqualTo(only);
            });
        }
    }

    @Test
    void aKeyedClaimThatFindsNothing_andNoOtherClaimOfItsKey_isAMiss_andStoresNothing() throws Exception {
        store.claims().claim(SMALL, "bob", "bobs", NOW); // the only prebuild is gone
        assertThat(store.claims().claim(SMALL, "alice", "dev", NOW, "lonely-key")).isEqualTo(new ClaimPort.Missed(preset));
        assertThat(store.claims().reserve(SMALL, "alice", "dev", NOW, "lonely-key")).isEqualTo(new ClaimPort.Missed(preset));
        assertThat(DB.db().dsl().fetchCount(DB.db().dsl().selectFrom("claim_idempotency_keys").where("key = 'lonely-key'")))
                .as("the probe that found the key free was rolled back").isZero();
    }

    /**
     * Until the claim under test has answered (before the fix: a miss, at once) or waits on a lock the other
     * transaction holds (the fix: its probe of the key) — then the other may commit.
     */
    private static void awaitAnsweredOrWaitingForALock(Future<ClaimPort.Attempt> answer) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> answer.isDone() || DB.db().dsl().fetchCount(
                        DB.db().dsl().selectFrom("pg_locks").where("not granted")) > 0);
    }

    private void insertKey(Connection c, String key, boolean pending) throws Exception {
        exec(c, """
                insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                    workspace_created_at, claimed_at, outputs, pending)
                values (?, 'python-dev', 'small', 'alice', ?, 'v1', 'dev', ?, ?, '{"url": "https://only"}'::jsonb, ?)
                """, key, only.value(), ts(PortSeed.T0), ts(NOW), pending);
    }

    private static Timestamp ts(Instant at) {
        return Timestamp.from(at);
    }

    private static void exec(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
