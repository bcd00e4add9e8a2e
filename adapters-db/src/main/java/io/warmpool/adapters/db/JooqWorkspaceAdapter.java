package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.Eligibility;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.SelectWhereStep;
import org.jooq.impl.DSL;

/**
 * Claims (SPEC A3) and the read side of workspaces, on the {@code workspaces} table. Implements {@link ClaimPort}
 * and {@link WorkspacePort}.
 *
 * <p>A claim is one statement in autocommit ({@link #CLAIM_SQL}): it resolves {@code template/preset} to the
 * active version's preset and updates the oldest eligible running prebuild, picked by a
 * {@code FOR NO KEY UPDATE SKIP LOCKED} subquery. Concurrent claims therefore each lock a different row, and a row
 * a claim has committed is no longer owned by {@code prebuilds}: no workspace is ever handed out twice. The preset is
 * resolved in the same statement, against the same snapshot, rather than from a cache, so that a claim never takes a
 * prebuild of a version that has just been superseded or of a template that has just been deprecated. Reads are
 * single statements with the preset's identity joined in (no query per row). A claim with an idempotency key runs
 * {@link #KEYED_CLAIM_SQL} instead, which also reads, stores and prunes {@code claim_idempotency_keys}; a claim
 * without one runs {@link #CLAIM_SQL} unchanged.
 */
final class JooqWorkspaceAdapter implements ClaimPort, WorkspacePort {

    /** The largest page {@link #list} returns. */
    static final int MAX_LIST = 1_000;

    private final DSLContext dsl;
    private final PresetIds presetIds;

    JooqWorkspaceAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
    }

    /**
     * {@inheritDoc}
     *
     * <p>One statement, one round trip. The preset is inactive (its template deprecated or deleted) →
     * {@link Missed}. Otherwise the oldest
     * running prebuild (by {@code created_at}, then id: {@link io.warmpool.domain.plan.DeleteOrder}, written as
     * {@code order by c.created_at, c.id} because SQL cannot call it; a {@code uuid} orders as its text) that {@link Eligibility#at} keeps at {@code now} — created
     * after {@code now − ttl} when the preset has a TTL, and not before its {@code invalidatedAt} — gets the new
     * owner, name and {@code claimed_at = now}; none → {@link Missed}.
     *
     * @throws NotFoundException        naming the preset when the template does not exist or its active version
     *                                  has no such preset
     * @throws IllegalArgumentException when {@code owner} is the prebuilds owner itself
     */
    @Override
    public Attempt claim(PresetRef preset, String owner, String name, Instant now) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        Instant at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
        if (PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
        }
        return DbErrors.guard("claiming a prebuild of " + preset, () -> {
            Attempt attempt = dsl.connectionResult(connection -> claimOnce(connection, preset, owner, name, at));
            if (attempt == null) {
                throw notFound(dsl, preset);
            }
            return attempt;
        });
    }

    /**
     * The claim statement: resolves the preset, picks and takes the prebuild, and answers the preset's row id and
     * version whether or not a prebuild was taken; no row at all when the preset does not exist. Bound parameters:
     * template, preset, owner, name, now (the claim's {@code claimed_at} and the instant the TTL counts back from).
     *
     * <p>The eligibility bounds are those of {@link Eligibility#at}: {@code created_at > now − ttl} when the preset
     * has a TTL ({@code ttl_ms > 0}), {@code created_at ≥ invalidated_at} when it was ever invalidated; an inactive
     * preset (template deprecated or deleted, R1) compares {@code preset_id} with null and so takes nothing. Each
     * bound is a scalar subquery on the one-row {@code preset}, evaluated once before the scan, so the candidate
     * search is a range scan of the partial index {@code workspaces_claimable} in its order. Owner and phase are
     * literals, not parameters: a prepared statement's generic plan cannot prove the partial index's predicate from
     * parameters. The candidate subquery runs once and locks exactly one row with {@code SKIP LOCKED}; the outer
     * {@code WHERE} checks owner and phase again on the locked row version.
     */
    static final String CLAIM_SQL = """
            with preset as (
            """ + ClaimSql.ACTIVE_PRESET + """
            ), claimed as (
                update workspaces w set owner = ?, name = ?, claimed_at = ?::timestamptz
                where w.id = (
                        select c.id from workspaces c
                        where c.preset_id = (select id from preset where not inactive)
            """ + ClaimSql.TAKE_OLDEST_ELIGIBLE_PREBUILD + """
                returning w.id, w.created_at, w.outputs
            )
            select preset.id, preset.version, claimed.id, (extract(epoch from claimed.created_at) * 1000000)::bigint,
                   claimed.outputs::text
            from preset left join claimed on true""";

    /**
     * One statement in autocommit: a claim is one round trip, and its row lock lasts only as long as the statement.
     * The SQL is a constant and every value is bound, so it is neither rendered nor planned anew per call (PgJDBC
     * keeps it prepared per connection). Instants cross as ISO-8601 text in and epoch microseconds out: PgJDBC's
     * timestamp binding and reading build calendars per statement and result set, a tenth of the claim's CPU in
     * the JVM (JFR). {@code null} when the preset does not exist.
     */
    private Attempt claimOnce(Connection connection, PresetRef preset, String owner, String name, Instant at)
            throws SQLException {
        String now = at.toString();
        try (PreparedStatement ps = connection.prepareStatement(CLAIM_SQL)) {
            ps.setString(1, preset.template());
            ps.setString(2, preset.preset());
            ps.setString(3, owner);
            ps.setString(4, name);
            ps.setString(5, now);
            ps.setString(6, now);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return ClaimSql.attempt(rs, preset, owner, name, at, presetIds);
            }
        }
    }

    /** The most expired idempotency keys one keyed claim deletes (more than it stores: a backlog drains). */
    static final int PRUNE_PER_CLAIM = 16;

    /**
     * {@inheritDoc}
     *
     * <p>One statement ({@link #KEYED_CLAIM_SQL}) in autocommit, as an unkeyed claim: it reads the key's stored
     * claim, claims only when there is none, stores what it took under the key, and deletes up to
     * {@value #PRUNE_PER_CLAIM} keys older than the window (bounded, skipping rows other claims hold). When two
     * claims with the same key run at once, both may take a prebuild, but the primary key of
     * {@code claim_idempotency_keys} lets only one commit: the other's insert waits for it, fails with a unique
     * violation, and its whole statement — its hand-over too — is undone; it then runs again and answers the stored
     * claim. A unique violation also means an expired row still holds the key: it is deleted and the claim runs
     * again. At most {@value #KEYED_ATTEMPTS} statements.
     */
    @Override
    public Attempt claim(PresetRef preset, String owner, String name, Instant now, String idempotencyKey) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Instant at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
        if (PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
        }
        return DbErrors.guard("claiming a prebuild of " + preset + " with an idempotency key", () -> {
            boolean probed = false;
            for (int attempt = 1; ; attempt++) {
                Keyed keyed = dsl.connectionResult(connection -> keyedOnce(connection, preset, owner, name, at, idempotencyKey));
                if (keyed.taken()) {
                    if (attempt == KEYED_ATTEMPTS) {
                        throw new org.jooq.exception.DataAccessException("the idempotency key stayed taken after "
                                + KEYED_ATTEMPTS + " attempts");
                    }
                    // Another claim with this key committed first (the next run answers it), or an expired claim
                    // still holds the key (deleted here, so that the next run claims anew).
                    dsl.execute("delete from claim_idempotency_keys where key = ? and claimed_at <= ?::timestamptz - interval '"
                            + IDEMPOTENCY_WINDOW.toHours() + " hours'", idempotencyKey, at.toString());
                    continue;
                }
                if (keyed.stored() != null) {
                    Stored stored = keyed.stored();
                    requireSameClaim(idempotencyKey, stored.ref(), stored.owner(), preset, owner);
                    return new Claimed(stored.workspace(), true);
                }
                if (keyed.attempt() == null) {
                    throw notFound(dsl, preset);
                }
                if (keyed.attempt() instanceof Missed && !probed && keyTakenMeanwhile(idempotencyKey, at)) {
                    probed = true;
                    continue; // another claim of this key held the prebuild: the next run answers its claim
                }
                return keyed.attempt();
            }
        });
    }

    /** The most statements of one keyed claim (a replay after a lost race needs two). */
    static final int KEYED_ATTEMPTS = 3;

    /**
     * The keyed claim statement: {@link #CLAIM_SQL} that takes nothing when the key holds a claim made after
     * {@code now − 24 h} ({@code existing}), stores what it took under the key ({@code stored}: nothing on a miss),
     * and prunes expired keys other than this one ({@code pruned}). Always one row: the preset's id and version
     * (null when it does not exist), the claimed workspace (null on a miss) and the stored claim (null when none).
     * Bound parameters: key, now; template, preset; owner, name, now, now; key, template, preset; now, key.
     */
    static final String KEYED_CLAIM_SQL = """
            with existing as (
                select k.template, k.preset, k.owner, k.workspace_id, k.preset_version, k.name,
                       (extract(epoch from k.workspace_created_at) * 1000000)::bigint as created_us,
                       (extract(epoch from k.claimed_at) * 1000000)::bigint as claimed_us, k.outputs
                from claim_idempotency_keys k
                where k.key = ? and k.claimed_at > ?::timestamptz - interval '24 hours'
            ), preset as (
            """ + ClaimSql.ACTIVE_PRESET + """
            ), claimed as (
                update workspaces w set owner = ?, name = ?, claimed_at = ?::timestamptz
                where w.id = (
                        select c.id from workspaces c
                        where c.preset_id = (select id from preset where not inactive and not exists (select 1 from existing))
            """ + ClaimSql.TAKE_OLDEST_ELIGIBLE_PREBUILD + """
                returning w.id, w.owner, w.name, w.created_at, w.claimed_at, w.outputs
            ), stored as (
                insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                    workspace_created_at, claimed_at, outputs)
                select ?, ?, ?, claimed.owner, claimed.id, preset.version, claimed.name, claimed.created_at,
                       claimed.claimed_at, claimed.outputs
                from claimed cross join preset
            ), pruned as (
                delete from claim_idempotency_keys
                where key in (select o.key from claim_idempotency_keys o
                              where o.claimed_at <= ?::timestamptz - interval '24 hours' and o.key <> ?
                              order by o.claimed_at
                              limit %d
                              for update skip locked)
            )
            select preset.id, preset.version, claimed.id, (extract(epoch from claimed.created_at) * 1000000)::bigint,
                   claimed.outputs::text,
                   existing.template, existing.preset, existing.owner, existing.workspace_id, existing.preset_version,
                   existing.name, existing.created_us, existing.claimed_us, existing.outputs::text
            from (select 1) as one
            left join preset on true
            left join claimed on true
            left join existing on true""".formatted(PRUNE_PER_CLAIM);

    /** A claim stored under a key: what it asked for and what it answered. */
    private record Stored(PresetRef ref, String owner, ClaimedWorkspace workspace) {
    }

    /**
     * What one keyed statement found: {@code taken} (a unique violation on the key: nothing happened), a stored
     * claim, or the claim's own attempt ({@code null} when the preset does not exist).
     */
    private record Keyed(boolean taken, Stored stored, Attempt attempt) {
    }

    private Keyed keyedOnce(Connection connection, PresetRef preset, String owner, String name, Instant at, String key)
            throws SQLException {
        String now = at.toString();
        try (PreparedStatement ps = connection.prepareStatement(KEYED_CLAIM_SQL)) {
            int i = 0;
            ps.setString(++i, key);
            ps.setString(++i, now);
            ps.setString(++i, preset.template());
            ps.setString(++i, preset.preset());
            ps.setString(++i, owner);
            ps.setString(++i, name);
            ps.setString(++i, now);
            ps.setString(++i, now);
            ps.setString(++i, key);
            ps.setString(++i, preset.template());
            ps.setString(++i, preset.preset());
            ps.setString(++i, now);
            ps.setString(++i, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next(); // always one row
                if (rs.getString(6) != null) {
                    PresetRef ref = new PresetRef(rs.getString(6), rs.getString(7));
                    return new Keyed(false, new Stored(ref, rs.getString(8), storedWorkspace(rs, ref)), null);
                }
                long rowId = rs.getLong(1);
                if (rs.wasNull()) {
                    return new Keyed(false, null, null);
                }
                PresetId id = new PresetId(preset.template(), rs.getString(2), preset.preset());
                presetIds.remember(rowId, id);
                UUID claimed = rs.getObject(3, UUID.class);
                if (claimed == null) {
                    return new Keyed(false, null, new Missed(id));
                }
                Instant createdAt = Instant.EPOCH.plus(rs.getLong(4), ChronoUnit.MICROS);
                return new Keyed(false, null, new Claimed(new ClaimedWorkspace(new WorkspaceId(claimed), name, owner, id,
                        createdAt, at, Json.map(JSONB.valueOf(rs.getString(5))))));
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return new Keyed(true, null, null);
            }
            throw e;
        }
    }

    private static final String UNIQUE_VIOLATION = "23505";

    /** A key names one claim: stored for another preset or owner, it is a conflict (409) naming both. */
    private static void requireSameClaim(String key, PresetRef storedRef, String storedOwner, PresetRef preset,
                                         String owner) {
        if (!storedRef.equals(preset) || !storedOwner.equals(owner)) {
            throw new ConflictException("Idempotency-Key '" + key + "' was used within the last "
                    + IDEMPOTENCY_WINDOW.toHours() + " h for a claim of " + storedRef + " by " + storedOwner
                    + "; a key names one claim: send a new key for another claim");
        }
    }

    /**
     * The claim stored under a key, as the keyed statements return it: columns 8 (owner), 9 (workspace), 10
     * (version), 11 (name), 12 and 13 (created and claimed, microseconds since the epoch), 14 (outputs).
     */
    private static ClaimedWorkspace storedWorkspace(ResultSet rs, PresetRef ref) throws SQLException {
        return new ClaimedWorkspace(new WorkspaceId(rs.getObject(9, UUID.class)), rs.getString(11), rs.getString(8),
                new PresetId(ref.template(), rs.getString(10), ref.preset()),
                Instant.EPOCH.plus(rs.getLong(12), ChronoUnit.MICROS),
                Instant.EPOCH.plus(rs.getLong(13), ChronoUnit.MICROS),
                Json.map(JSONB.valueOf(rs.getString(14))));
    }

    // ------------------------------------------------------------------ claim handoff (SPEC R12)

    /**
     * {@link #CLAIM_SQL} that reserves instead of handing over ({@link ClaimSql#RESERVE_SET}). Bound: template,
     * preset, now (the reservation), now (the TTL bound).
     */
    static final String RESERVE_SQL = """
            with preset as (
            """ + ClaimSql.ACTIVE_PRESET + """
            ), claimed as (
                update workspaces w """ + ClaimSql.RESERVE_SET + """

                where w.id = (
                        select c.id from workspaces c
                        where c.preset_id = (select id from preset where not inactive)
            """ + ClaimSql.TAKE_OLDEST_ELIGIBLE_PREBUILD + """
                returning w.id, w.created_at, w.outputs
            )
            select preset.id, preset.version, claimed.id, (extract(epoch from claimed.created_at) * 1000000)::bigint,
                   claimed.outputs::text
            from preset left join claimed on true""";

    /** {@inheritDoc} One statement in autocommit ({@link #RESERVE_SQL}), as a plain claim. */
    @Override
    public Attempt reserve(PresetRef preset, String owner, String name, Instant now) {
        Instant at = checked(preset, owner, name, now);
        return DbErrors.guard("reserving a prebuild of " + preset, () -> {
            Attempt attempt = dsl.connectionResult(connection -> {
                String text = at.toString();
                try (PreparedStatement ps = connection.prepareStatement(RESERVE_SQL)) {
                    ps.setString(1, preset.template());
                    ps.setString(2, preset.preset());
                    ps.setString(3, text);
                    ps.setString(4, text);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? ClaimSql.reservation(rs, preset, owner, name, at, Optional.empty(), presetIds) : null;
                    }
                }
            });
            if (attempt == null) {
                throw notFound(dsl, preset);
            }
            return attempt;
        });
    }

    private static Instant checked(PresetRef preset, String owner, String name, Instant now) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        if (PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
        }
        return Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * {@link #KEYED_CLAIM_SQL} that reserves, and stores the key with the reservation, {@code pending}. Answers also
     * whether the stored claim is pending (column 15). Bound: key, now; template, preset; now, now; key, template,
     * preset, owner, name, now; now, key.
     */
    static final String KEYED_RESERVE_SQL = """
            with existing as (
                select k.template, k.preset, k.owner, k.workspace_id, k.preset_version, k.name,
                       (extract(epoch from k.workspace_created_at) * 1000000)::bigint as created_us,
                       (extract(epoch from k.claimed_at) * 1000000)::bigint as claimed_us, k.outputs, k.pending
                from claim_idempotency_keys k
                where k.key = ? and k.claimed_at > ?::timestamptz - interval '24 hours'
            ), preset as (
            """ + ClaimSql.ACTIVE_PRESET + """
            ), claimed as (
                update workspaces w """ + ClaimSql.RESERVE_SET + """

                where w.id = (
                        select c.id from workspaces c
                        where c.preset_id = (select id from preset where not inactive and not exists (select 1 from existing))
            """ + ClaimSql.TAKE_OLDEST_ELIGIBLE_PREBUILD + """
                returning w.id, w.created_at, w.outputs
            ), stored as (
                insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                    workspace_created_at, claimed_at, outputs, pending)
                select ?, ?, ?, ?, claimed.id, preset.version, ?, claimed.created_at, ?::timestamptz, claimed.outputs, true
                from claimed cross join preset
            ), pruned as (
                delete from claim_idempotency_keys
                where key in (select o.key from claim_idempotency_keys o
                              where o.claimed_at <= ?::timestamptz - interval '24 hours' and o.key <> ?
                              order by o.claimed_at
                              limit %d
                              for update skip locked)
            )
            select preset.id, preset.version, claimed.id, (extract(epoch from claimed.created_at) * 1000000)::bigint,
                   claimed.outputs::text,
                   existing.template, existing.preset, existing.owner, existing.workspace_id, existing.preset_version,
                   existing.name, existing.created_us, existing.claimed_us, existing.outputs::text, existing.pending
            from (select 1) as one
            left join preset on true
            left join claimed on true
            left join existing on true""".formatted(PRUNE_PER_CLAIM);

    /**
     * {@inheritDoc}
     *
     * <p>One statement ({@link #KEYED_RESERVE_SQL}) in autocommit, with the same retry on a unique violation of the
     * key as {@link #claim(PresetRef, String, String, Instant, String)}: of two concurrent reservations under one key
     * only one commits (the other's whole statement, its reservation too, is undone), and the other then answers
     * {@link InProgress}.
     */
    @Override
    public Attempt reserve(PresetRef preset, String owner, String name, Instant now, String idempotencyKey) {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Instant at = checked(preset, owner, name, now);
        return DbErrors.guard("reserving a prebuild of " + preset + " with an idempotency key", () -> {
            boolean probed = false;
            for (int attempt = 1; ; attempt++) {
                Attempt answer = dsl.connectionResult(connection -> keyedReserveOnce(connection, preset, owner, name, at, idempotencyKey));
                if (answer == TAKEN) {
                    if (attempt == KEYED_ATTEMPTS) {
                        throw new org.jooq.exception.DataAccessException("the idempotency key stayed taken after "
                                + KEYED_ATTEMPTS + " attempts");
                    }
                    dsl.execute("delete from claim_idempotency_keys where key = ? and claimed_at <= ?::timestamptz - interval '"
                            + IDEMPOTENCY_WINDOW.toHours() + " hours'", idempotencyKey, at.toString());
                    continue;
                }
                if (answer == null) {
                    throw notFound(dsl, preset);
                }
                if (answer instanceof Missed && !probed && keyTakenMeanwhile(idempotencyKey, at)) {
                    probed = true;
                    continue; // another reservation of this key held the prebuild: the next run answers InProgress
                }
                return answer;
            }
        });
    }

    /**
     * After a keyed claim or reservation found nothing: whether another claim under the same key took (and so locked,
     * and made this one skip) a prebuild and has committed or is committing. Its key row may not be visible to the
     * statement that just ran, but inserting the key waits on the primary key for its transaction: a conflict says the
     * key is taken (run again: the stored claim answers), no conflict says the miss is real. The probe is always
     * rolled back; one statement, and only on a keyed miss.
     */
    private boolean keyTakenMeanwhile(String key, Instant at) {
        return dsl.connectionResult(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement("""
                    insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version, name,
                                                        workspace_created_at, claimed_at, outputs)
                    values (?, '', '', '', '00000000-0000-0000-0000-000000000000'::uuid, '', '', ?::timestamptz,
                            ?::timestamptz, '{}'::jsonb)
                    on conflict (key) do nothing""")) {
                ps.setString(1, key);
                ps.setString(2, at.toString());
                ps.setString(3, at.toString());
                return ps.executeUpdate() == 0;
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        });
    }

    /** A unique violation on the key: nothing happened (compared by identity). */
    private static final Attempt TAKEN = new Missed(new PresetId("taken", "taken", "taken"));

    private Attempt keyedReserveOnce(Connection connection, PresetRef preset, String owner, String name, Instant at,
                                     String key) throws SQLException {
        String now = at.toString();
        try (PreparedStatement ps = connection.prepareStatement(KEYED_RESERVE_SQL)) {
            int i = 0;
            ps.setString(++i, key);
            ps.setString(++i, now);
            ps.setString(++i, preset.template());
            ps.setString(++i, preset.preset());
            ps.setString(++i, now);
            ps.setString(++i, now);
            ps.setString(++i, key);
            ps.setString(++i, preset.template());
            ps.setString(++i, preset.preset());
            ps.setString(++i, owner);
            ps.setString(++i, name);
            ps.setString(++i, now);
            ps.setString(++i, now);
            ps.setString(++i, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next(); // always one row
                if (rs.getString(6) != null) {
                    PresetRef ref = new PresetRef(rs.getString(6), rs.getString(7));
                    String storedOwner = rs.getString(8);
                    requireSameClaim(key, ref, storedOwner, preset, owner);
                    if (rs.getBoolean(15)) {
                        return new InProgress(new PresetId(ref.template(), rs.getString(10), ref.preset()));
                    }
                    return new Claimed(storedWorkspace(rs, ref), true);
                }
                rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
                return ClaimSql.reservation(rs, preset, owner, name, at, Optional.of(key), presetIds);
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return TAKEN;
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: the conditional update of the workspace (phase {@code claiming}, owner {@code prebuilds},
     * {@code claiming_at} the reservation's), then, with a key, the key's row made final with the same answer.
     */
    @Override
    public Optional<ClaimedWorkspace> finish(Reservation reservation, java.util.Map<String, String> outputs, Instant now) {
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(outputs, "outputs");
        Instant at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
        String reservedAt = reservation.reservedAt().truncatedTo(ChronoUnit.MILLIS).toString();
        String json = Json.of(outputs).data();
        return DbErrors.guard("finishing the claim of " + reservation.id(), () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Optional<Long> created = tx.resultQuery("""
                    update workspaces set owner = ?, name = ?, phase = 'running', claimed_at = ?::timestamptz, outputs = ?::jsonb
                    where id = ? and phase = 'claiming' and claiming_at = ?::timestamptz and owner = 'prebuilds'
                    returning (extract(epoch from created_at) * 1000000)::bigint""",
                    reservation.owner(), reservation.name(), at.toString(), json, reservation.id().value(), reservedAt)
                    .fetchOptional(0, Long.class);
            if (created.isEmpty()) {
                return Optional.<ClaimedWorkspace>empty();
            }
            reservation.idempotencyKey().ifPresent(key -> tx.execute("""
                    update claim_idempotency_keys set pending = false, outputs = ?::jsonb, claimed_at = ?::timestamptz, name = ?
                    where key = ? and workspace_id = ? and pending""",
                    json, at.toString(), reservation.name(), key, reservation.id().value()));
            return Optional.of(new ClaimedWorkspace(reservation.id(), reservation.name(), reservation.owner(),
                    reservation.preset(), Instant.EPOCH.plus(created.get(), ChronoUnit.MICROS), at, outputs));
        }));
    }

    /**
     * The abandonment of reservations (R12 failure), one statement for {@link #abandon} and {@link #reapReservations}:
     * {@code stale} (the rows to abandon, locked, skipping rows another transaction holds), then each becomes
     * {@code deleting} with a pending delete build (reason {@code CLAIM_FAILED}) and loses its pending key. The
     * {@code stale} select is {@code %s}: one row by id and reservation instant, or the oldest stale ones.
     */
    private static final String ABANDON_SQL = """
            with stale as (
                %s
                for no key update skip locked
            ), gone as (
                update workspaces w set phase = 'deleting'
                from stale where w.id = stale.id and w.phase = 'claiming'
                returning w.id, w.preset_id, (extract(epoch from w.claiming_at) * 1000000)::bigint as reserved_us
            ), build as (
                insert into builds (workspace_id, preset_id, transition, status, reason, not_before, created_at)
                select gone.id, gone.preset_id, 'delete', 'pending', 'CLAIM_FAILED', ?::timestamptz, ?::timestamptz from gone
            ), keys as (
                delete from claim_idempotency_keys k using gone where k.workspace_id = gone.id and k.pending
            )
            select gone.id, gone.preset_id, gone.reserved_us from gone""";

    /** The most reservations one reaping statement abandons (the rest at the next call). */
    static final int REAP_PER_CALL = 500;

    /** {@inheritDoc} One statement ({@link #ABANDON_SQL}). */
    @Override
    public boolean abandon(Reservation reservation, Instant now) {
        Objects.requireNonNull(reservation, "reservation");
        String at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS).toString();
        String reservedAt = reservation.reservedAt().truncatedTo(ChronoUnit.MILLIS).toString();
        return DbErrors.guard("abandoning the claim of " + reservation.id(), () -> !dsl.fetch(ABANDON_SQL.formatted(
                        "select id from workspaces where id = ? and phase = 'claiming' and claiming_at = ?::timestamptz"),
                reservation.id().value(), reservedAt, at, at).isEmpty());
    }

    /** {@inheritDoc} One statement ({@link #ABANDON_SQL}) over the partial index {@code workspaces_claiming}. */
    @Override
    public List<Abandoned> reapReservations(Instant reservedAtOrBefore, Instant now) {
        String before = Objects.requireNonNull(reservedAtOrBefore, "reservedAtOrBefore").truncatedTo(ChronoUnit.MILLIS).toString();
        String at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS).toString();
        return DbErrors.guard("reaping stale claim reservations", () -> {
            List<Abandoned> out = new ArrayList<>();
            for (Record r : dsl.fetch(ABANDON_SQL.formatted("select id from workspaces where phase = 'claiming' "
                    + "and claiming_at <= ?::timestamptz order by claiming_at limit " + REAP_PER_CALL), before, at, at)) {
                out.add(new Abandoned(new WorkspaceId(r.get(0, UUID.class)), presetIds.presetOf(dsl, r.get(1, Long.class)),
                        Instant.EPOCH.plus(r.get(2, Long.class), ChronoUnit.MICROS)));
            }
            return out;
        });
    }

    /** Says which part of {@code template/preset} is missing; only runs when the claim statement found no preset. */
    static NotFoundException notFound(DSLContext dsl, PresetRef preset) {
        var version = dsl.select(TEMPLATE_VERSIONS.NAME)
                .from(TEMPLATES)
                .leftJoin(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.TEMPLATE_ID.eq(TEMPLATES.ID), TEMPLATE_VERSIONS.ACTIVE.isTrue())
                .where(TEMPLATES.NAME.eq(preset.template()))
                .fetchOptional();
        if (version.isEmpty()) {
            return new NotFoundException("preset " + preset + " does not exist: there is no template " + preset.template());
        }
        return new NotFoundException("preset " + preset + " does not exist: the active version "
                + version.get().value1() + " of template " + preset.template() + " has no preset " + preset.preset());
    }

    /** {@inheritDoc} One query; a workspace stays findable after it is deleted (phase {@code DELETED}). */
    @Override
    public Optional<WorkspaceView> find(WorkspaceId id) {
        Objects.requireNonNull(id, "id");
        return DbErrors.guard("reading workspace " + id, () -> withPreset(dsl)
                .where(WORKSPACES.ID.eq(id.value()))
                .fetchOptional()
                .map(this::view));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Newest first by {@code created_at}, ties by id (descending), so that pages are stable. Deleted
     * workspaces are included (history); an unknown preset has none.
     *
     * @throws IllegalArgumentException when {@code limit} is outside 1…{@value #MAX_LIST}
     */
    @Override
    public List<WorkspaceView> list(PresetId preset, String owner, ListKey after, int limit) {
        if (limit < 1 || limit > MAX_LIST + 1) {
            throw new IllegalArgumentException("limit must be between 1 and " + (MAX_LIST + 1) + ", got " + limit);
        }
        return DbErrors.guard("listing workspaces", () -> {
            Condition where = DSL.trueCondition();
            if (preset != null) {
                Long rowId = presetIds.rowIds(dsl, List.of(preset)).get(preset);
                if (rowId == null) {
                    return List.of();
                }
                where = where.and(WORKSPACES.PRESET_ID.eq(rowId));
            }
            if (owner != null) {
                where = where.and(WORKSPACES.OWNER.eq(owner));
            }
            if (after != null) {
                // keyset: strictly after the previous page's last row in (created_at desc, id desc)
                where = where.and(DSL.row(WORKSPACES.CREATED_AT, WORKSPACES.ID)
                        .lt(DSL.row(DSL.val(after.createdAt()), DSL.val(after.id().value()))));
            }
            List<WorkspaceView> out = new ArrayList<>();
            withPreset(dsl).where(where)
                    .orderBy(WORKSPACES.CREATED_AT.desc(), WORKSPACES.ID.desc())
                    .limit(limit)
                    .forEach(r -> out.add(view(r)));
            return out;
        });
    }

    /** {@inheritDoc} Oldest first (by build id, which grows with creation); empty for an unknown workspace. */
    @Override
    public List<BuildView> builds(WorkspaceId id) {
        Objects.requireNonNull(id, "id");
        return DbErrors.guard("reading the builds of workspace " + id, () -> selectBuilds(id, 0, Long.MAX_VALUE));
    }

    /** {@inheritDoc} By build id, which grows with creation. */
    @Override
    public List<BuildView> builds(WorkspaceId id, long afterBuild, int limit) {
        Objects.requireNonNull(id, "id");
        if (limit < 1 || limit > MAX_LIST + 1) {
            throw new IllegalArgumentException("limit must be between 1 and " + (MAX_LIST + 1) + ", got " + limit);
        }
        return DbErrors.guard("reading the builds of workspace " + id, () -> selectBuilds(id, afterBuild, limit));
    }

    /** The workspace's builds with an id above {@code afterBuild}, by id, at most {@code limit}. */
    private List<BuildView> selectBuilds(WorkspaceId id, long afterBuild, long limit) {
        List<BuildView> out = new ArrayList<>();
        dsl.select(BUILDS.ID, BUILDS.TRANSITION, BUILDS.STATUS, BUILDS.REASON, BUILDS.ATTEMPT, BUILDS.CREATED_AT,
                        BUILDS.STARTED_AT, BUILDS.FINISHED_AT, BUILDS.ERROR_CODE, BUILDS.ERROR, BUILDS.LOG,
                        awaitingCallback())
                .from(BUILDS)
                .where(BUILDS.WORKSPACE_ID.eq(id.value()), BUILDS.ID.gt(afterBuild))
                .orderBy(BUILDS.ID)
                .limit(limit)
                .forEach(r -> out.add(new BuildView(new JobId(r.value1()), JooqBuildQueueAdapter.transition(r.value2()),
                        r.value3().getLiteral(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(),
                        r.value9(), r.value10(), r.value11(), r.value12())));
        return out;
    }

    /** The callback deadline of a running build awaiting one (kept as history once it ends: shown only while running). */
    static org.jooq.Field<Instant> awaitingCallback() {
        return DSL.when(BUILDS.STATUS.eq(DSL.inline(io.warmpool.adapters.db.jooq.enums.BuildStatus.running)),
                BUILDS.AWAITING_CALLBACK_UNTIL).otherwise(DSL.inline(null, BUILDS.AWAITING_CALLBACK_UNTIL));
    }

    private static SelectWhereStep<? extends Record> withPreset(DSLContext ctx) {
        return ctx.select(WORKSPACES.ID, WORKSPACES.NAME, WORKSPACES.OWNER, WORKSPACES.PRESET_ID, WORKSPACES.PHASE,
                        WORKSPACES.CREATED_AT, WORKSPACES.CLAIMED_AT, WORKSPACES.OUTPUTS,
                        TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME)
                .from(WORKSPACES)
                .join(PRESETS).on(PRESETS.ID.eq(WORKSPACES.PRESET_ID))
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID));
    }

    private WorkspaceView view(Record r) {
        PresetId preset = new PresetId(r.get(TEMPLATES.NAME), r.get(TEMPLATE_VERSIONS.NAME), r.get(PRESETS.NAME));
        presetIds.remember(r.get(WORKSPACES.PRESET_ID), preset);
        return new WorkspaceView(new WorkspaceId(r.get(WORKSPACES.ID)), r.get(WORKSPACES.NAME), r.get(WORKSPACES.OWNER),
                preset, phase(r.get(WORKSPACES.PHASE)), r.get(WORKSPACES.CREATED_AT), r.get(WORKSPACES.CLAIMED_AT),
                Json.map(r.get(WORKSPACES.OUTPUTS)));
    }

    static Phase phase(WorkspacePhase phase) {
        return Phase.valueOf(phase.getLiteral().toUpperCase(Locale.ROOT));
    }
}
