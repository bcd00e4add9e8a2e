package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.Workspaces;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.Eligibility;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SelectWhereStep;
import org.jooq.impl.DSL;

/**
 * Claims (SPEC A3) and the read side of workspaces, on the {@code workspaces} table. Implements {@link ClaimPort}
 * and {@link WorkspacePort}.
 *
 * <p>A claim is one transaction of two statements: resolve {@code template/preset} to the active version's
 * preset, then one UPDATE whose target is the oldest eligible running prebuild, picked by a
 * {@code FOR NO KEY UPDATE SKIP LOCKED} subquery. Concurrent claims therefore each lock a different row, and a row
 * a claim has committed is no longer owned by {@code prebuilds}: no workspace is ever handed out twice. Reads are
 * single statements with the preset's identity joined in (no query per row).
 */
public final class JooqWorkspaceAdapter implements ClaimPort, WorkspacePort {

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
     * <p>The preset is inactive (its template deprecated or deleted) → {@link Missed}. Otherwise the oldest
     * running prebuild (by {@code created_at}, then id) that {@link Eligibility#at} keeps at {@code now} — created
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
        return DbErrors.guard("claiming a prebuild of " + preset, () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var row = tx.select(PRESETS.ID, TEMPLATE_VERSIONS.NAME, PRESETS.TTL_MS, PRESETS.INVALIDATED_AT,
                            TEMPLATES.DEPRECATED, TEMPLATES.DELETED)
                    .from(PRESETS)
                    .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID), TEMPLATE_VERSIONS.ACTIVE.isTrue())
                    .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                    .where(TEMPLATES.NAME.eq(preset.template()), PRESETS.NAME.eq(preset.preset()))
                    .fetchOne();
            if (row == null) {
                throw notFound(tx, preset);
            }
            long rowId = row.value1();
            PresetId id = new PresetId(preset.template(), row.value2(), preset.preset());
            presetIds.remember(rowId, id);
            if (row.value5() || row.value6()) {
                return new Missed(id); // inactive (R1): nothing of it is eligible
            }
            Eligibility eligibility = Eligibility.at(Duration.ofMillis(row.value3()), row.value4(), at);
            Workspaces candidate = WORKSPACES.as("candidate");
            // Owner and phase inlined, not bound: a prepared statement's generic plan cannot prove the partial
            // index workspaces_claimable's predicate from parameters.
            Condition eligible = candidate.PRESET_ID.eq(rowId)
                    .and(candidate.OWNER.eq(DSL.inline(PREBUILDS_OWNER)))
                    .and(candidate.PHASE.eq(DSL.inline(WorkspacePhase.running)));
            if (eligibility.expiredAtOrBefore() != null) {
                eligible = eligible.and(candidate.CREATED_AT.gt(eligibility.expiredAtOrBefore()));
            }
            if (eligibility.invalidatedAt() != null) {
                eligible = eligible.and(candidate.CREATED_AT.ge(eligibility.invalidatedAt()));
            }
            var claimed = tx.update(WORKSPACES)
                    .set(WORKSPACES.OWNER, owner)
                    .set(WORKSPACES.NAME, name)
                    .set(WORKSPACES.CLAIMED_AT, at)
                    // A scalar subquery runs once: it locks exactly one row, skipping those other claims hold.
                    .where(WORKSPACES.ID.eq(DSL.field(DSL.select(candidate.ID).from(candidate)
                            .where(eligible)
                            .orderBy(candidate.CREATED_AT, candidate.ID) // matches the workspaces_claimable index
                            .limit(1)
                            .forNoKeyUpdate().skipLocked())))
                    .and(WORKSPACES.OWNER.eq(PREBUILDS_OWNER))
                    .and(WORKSPACES.PHASE.eq(WorkspacePhase.running))
                    .returningResult(WORKSPACES.ID, WORKSPACES.CREATED_AT, WORKSPACES.OUTPUTS)
                    .fetchOne();
            if (claimed == null) {
                return new Missed(id);
            }
            return new Claimed(new ClaimedWorkspace(new WorkspaceId(claimed.value1()), name, owner, id,
                    claimed.value2(), at, Json.map(claimed.value3())));
        }));
    }

    /** Says which part of {@code template/preset} is missing; only runs on the (rare) miss path. */
    private static NotFoundException notFound(DSLContext tx, PresetRef preset) {
        var version = tx.select(TEMPLATE_VERSIONS.NAME)
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
    public List<WorkspaceView> list(PresetId preset, String owner, int limit) {
        if (limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIST + ", got " + limit);
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
        return DbErrors.guard("reading the builds of workspace " + id, () -> {
            List<BuildView> out = new ArrayList<>();
            dsl.select(BUILDS.ID, BUILDS.TRANSITION, BUILDS.STATUS, BUILDS.REASON, BUILDS.ATTEMPT, BUILDS.CREATED_AT,
                            BUILDS.STARTED_AT, BUILDS.FINISHED_AT, BUILDS.ERROR_CODE, BUILDS.ERROR, BUILDS.LOG)
                    .from(BUILDS)
                    .where(BUILDS.WORKSPACE_ID.eq(id.value()))
                    .orderBy(BUILDS.ID)
                    .forEach(r -> out.add(new BuildView(new JobId(r.value1()), JooqBuildQueueAdapter.transition(r.value2()),
                            r.value3().getLiteral(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(),
                            r.value9(), r.value10(), r.value11())));
            return out;
        });
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
