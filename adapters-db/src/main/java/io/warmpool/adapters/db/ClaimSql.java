package io.warmpool.adapters.db;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimPort.ClaimedWorkspace;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jooq.JSONB;

/**
 * The parts every claim statement shares — the plain claim and the keyed claim ({@link JooqWorkspaceAdapter}), a
 * waiting claim's turn ({@link PostgresClaimWaitersAdapter}) — written once, so that eligibility (R1) and the
 * claim order (R12: oldest first, ties by id) cannot drift between them. Constant text, concatenated at compile
 * time into each constant statement (see {@link JooqWorkspaceAdapter#CLAIM_SQL} for why the statements are
 * constant and what each bound does).
 */
final class ClaimSql {

    /**
     * The body of the CTE {@code preset}: the active version's preset row of a template and preset name (two
     * parameters: template, preset), with what the bounds below read.
     */
    static final String ACTIVE_PRESET = """
                select p.id, v.name as version, p.ttl_ms, p.invalidated_at, t.deprecated or t.deleted as inactive
                from templates t
                join template_versions v on v.template_id = t.id and v.active
                join presets p on p.version_id = v.id
                where t.name = ? and p.name = ?
            """;

    /**
     * The end of {@code update workspaces w … where w.id = (select c.id from workspaces c where c.preset_id = …}: the
     * oldest eligible prebuild of {@code preset} (unclaimed, running, inside its TTL — one parameter, now — and not
     * before the preset's invalidation), locked with {@code SKIP LOCKED}, and the outer check of owner and phase on
     * the locked row version.
     */
    static final String TAKE_OLDEST_ELIGIBLE_PREBUILD = """
                          and c.owner = 'prebuilds' and c.phase = 'running'
                          and c.created_at > (select case when ttl_ms > 0 then ?::timestamptz - ttl_ms * interval '1 millisecond'
                                                          else '-infinity'::timestamptz end from preset)
                          and c.created_at >= (select coalesce(invalidated_at, '-infinity'::timestamptz) from preset)
                        order by c.created_at, c.id
                        limit 1
                        for no key update skip locked)
                  and w.owner = 'prebuilds' and w.phase = 'running'
            """;

    /**
     * The claim a statement's row answers, from its first five columns in this order: the preset's row id, its
     * version, the claimed workspace's id (null: nothing eligible), its creation in epoch microseconds, its outputs
     * as JSON text. Remembers the preset's row id in {@code presetIds}.
     */
    static ClaimPort.Attempt attempt(ResultSet rs, PresetRef preset, String owner, String name, Instant at,
                                     PresetIds presetIds) throws SQLException {
        // By position: each claim statement is one constant JDBC statement (docs/decisions.md, "The claim is one
        // constant SQL statement run through JDBC").
        long rowId = rs.getLong(1);
        PresetId id = new PresetId(preset.template(), rs.getString(2), preset.preset());
        presetIds.remember(rowId, id);
        UUID claimed = rs.getObject(3, UUID.class);
        if (claimed == null) {
            return new ClaimPort.Missed(id);
        }
        Instant createdAt = Instant.EPOCH.plus(rs.getLong(4), ChronoUnit.MICROS);
        return new ClaimPort.Claimed(new ClaimedWorkspace(new WorkspaceId(claimed), name, owner, id, createdAt, at,
                Json.map(JSONB.valueOf(rs.getString(5)))));
    }

    /**
     * The set clause of a reservation (SPEC R12 step 1), in place of a claim's {@code set owner = ?, name = ?,
     * claimed_at = ?}: the prebuild becomes {@code claiming} at the reservation's instant (one parameter, now), still
     * owned by {@code prebuilds}.
     */
    static final String RESERVE_SET = " set phase = 'claiming', claiming_at = ?::timestamptz";

    /** {@link #attempt}, for a reservation: {@link ClaimPort.Reserved} or {@link ClaimPort.Missed}. */
    static ClaimPort.Attempt reservation(ResultSet rs, PresetRef preset, String owner, String name, Instant at,
                                         java.util.Optional<String> key, PresetIds presetIds) throws SQLException {
        ClaimPort.Attempt attempt = attempt(rs, preset, owner, name, at, presetIds);
        if (attempt instanceof ClaimPort.Claimed c) {
            ClaimedWorkspace w = c.workspace();
            return new ClaimPort.Reserved(new ClaimPort.Reservation(w.id(), w.preset(), owner, name, w.createdAt(), at,
                    w.outputs(), key));
        }
        return attempt;
    }

    private ClaimSql() {
    }
}
