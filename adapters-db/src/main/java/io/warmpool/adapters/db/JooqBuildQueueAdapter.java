package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.PresetStatus;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.Builds;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.Record1;
import org.jooq.Record3;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The build queue (SPEC A2, R9) on the {@code builds} table, implementing {@link BuildQueuePort}.
 *
 * <p>Every method runs in one explicit transaction (or is a single statement), writes only the {@code now} it is
 * given (truncated to milliseconds), and is safe to call from several replicas at once: jobs are taken with
 * {@code FOR UPDATE SKIP LOCKED}, and every state change of a build is guarded by its current status (and worker),
 * so a change that lost a race finds nothing to change instead of overwriting the winner.
 *
 * <p>A workspace's {@code phase} follows its latest build and is always changed in the same transaction as that
 * build. Database failures surface as {@link io.warmpool.application.port.out.StoreUnavailableException} without
 * SQL text.
 */
final class JooqBuildQueueAdapter implements BuildQueuePort {

    /**
     * Rows per multi-row INSERT. The rows travel as three bound arrays, so the limit only bounds the size of one
     * statement (a 10,000-row chunk is about half a megabyte), never the number of bind parameters.
     */
    static final int ROWS_PER_STATEMENT = 10_000;
    /** Columns of the {@link #rows} table: a workspace id, a preset row id and one text (name or reason). */
    private static final String ROWS = "r";
    private static final Field<UUID> ROW_ID = DSL.field(DSL.name(ROWS, "id"), UUID.class);
    private static final Field<Long> ROW_PRESET = DSL.field(DSL.name(ROWS, "preset_id"), Long.class);
    private static final Field<String> ROW_TEXT = DSL.field(DSL.name(ROWS, "text"), String.class);
    /** The {@code builds_error_bounded} check constraint. */
    static final int MAX_ERROR = 8_192;
    /** The {@code builds_log_bounded} check constraint. */
    static final int MAX_LOG = 65_536;
    /** The reason recorded on a create build: the plan asked for it to reach the desired pool size. */
    static final String CREATE_REASON = "DESIRED";
    static final String WORKER_LOST = "worker_lost";
    static final String UNAVAILABLE = "unavailable";

    private static final String PREBUILDS = WorkspacePort.PREBUILDS_OWNER;

    private final DSLContext dsl;
    private final PresetIds presetIds;
    /** A worker's statements, rendered once: they run for every job (see {@link RenderedSql}). */
    private final RenderedSql acquire;
    private final RenderedSql finishSucceeded;
    private final RenderedSql finishFailed;
    private final RenderedSql finishAwaitedSucceeded;
    private final RenderedSql finishAwaitedFailed;

    JooqBuildQueueAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
        this.acquire = RenderedSql.of(dsl, acquireStatement());
        this.finishSucceeded = RenderedSql.of(dsl, finishStatement(true, false));
        this.finishFailed = RenderedSql.of(dsl, finishStatement(false, false));
        this.finishAwaitedSucceeded = RenderedSql.of(dsl, finishStatement(true, true));
        this.finishAwaitedFailed = RenderedSql.of(dsl, finishStatement(false, true));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Statements, all in one transaction: at most one preset look-up for the whole list, then, per
     * {@value #ROWS_PER_STATEMENT} requests, one statement: the requests as rows ({@code unnest(…)} of three bound
     * arrays) feed, in a data-modifying CTE, a multi-row {@code INSERT} of workspaces (owner {@code prebuilds},
     * phase {@code starting}) and the {@code INSERT} of their pending create builds, both in request order. That
     * statement also checks, for the whole chunk, that every row's preset exists (the tables have no per-row
     * foreign keys: migration V4).
     *
     * @throws NotFoundException when a request names a preset that does not exist; nothing is stored
     */
    @Override
    public void enqueueCreates(List<CreateRequest> creates, Instant now) {
        Objects.requireNonNull(creates, "creates");
        Instant at = millis(now);
        if (creates.isEmpty()) {
            return;
        }
        DbErrors.guardRun("enqueueing " + creates.size() + " creates", () -> dsl.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Set<PresetId> wanted = new LinkedHashSet<>();
            creates.forEach(c -> wanted.add(c.preset()));
            Map<PresetId, Long> rowIds = presetIds.rowIds(tx, wanted);
            for (PresetId id : wanted) {
                if (!rowIds.containsKey(id)) {
                    throw new NotFoundException("preset " + id + " does not exist");
                }
            }
            for (List<CreateRequest> chunk : chunks(creates)) {
                UUID[] ids = new UUID[chunk.size()];
                Long[] presets = new Long[chunk.size()];
                String[] names = new String[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    CreateRequest c = chunk.get(i);
                    ids[i] = c.workspace().value();
                    presets[i] = rowIds.get(c.preset());
                    names[i] = c.name();
                }
                // One statement: the chunk's rows (r, in request order, only those whose preset exists: the
                // reference is checked here for the whole chunk, migration V4), their workspaces (w), and from the
                // same rows their builds. Both inserts keep the request order, which acquire's "oldest first"
                // (by build id) follows within a batch.
                Field<Long> position = DSL.field(DSL.name(ROWS, "n"), Long.class);
                CommonTableExpression<?> requested = DSL.name("r")
                        .as(DSL.select(ROW_ID, ROW_PRESET, ROW_TEXT, position)
                                .from(DSL.table("unnest({0}, {1}, {2}) with ordinality", DSL.val(ids), DSL.val(presets),
                                        DSL.val(names)).as(ROWS, "id", "preset_id", "text", "n"))
                                .whereExists(DSL.selectOne().from(PRESETS).where(PRESETS.ID.eq(ROW_PRESET))));
                CommonTableExpression<?> inserted = DSL.name("w")
                        .as(DSL.insertInto(WORKSPACES, WORKSPACES.ID, WORKSPACES.PRESET_ID, WORKSPACES.OWNER,
                                        WORKSPACES.NAME, WORKSPACES.PHASE, WORKSPACES.CREATED_AT)
                                .select(DSL.select(ROW_ID, ROW_PRESET, DSL.inline(PREBUILDS), ROW_TEXT,
                                                DSL.inline(WorkspacePhase.starting), DSL.val(at))
                                        .from(requested).orderBy(position))
                                .returningResult(WORKSPACES.ID));
                int stored = tx.with(requested, inserted)
                        .insertInto(BUILDS, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS,
                                BUILDS.REASON, BUILDS.NOT_BEFORE, BUILDS.CREATED_AT)
                        .select(DSL.select(ROW_ID, ROW_PRESET, DSL.inline(BuildTransition.create),
                                        DSL.inline(BuildStatus.pending), DSL.inline(CREATE_REASON), DSL.val(at), DSL.val(at))
                                .from(requested).orderBy(position))
                        .execute();
                if (stored != chunk.size()) {
                    // Only a preset row removed behind the cache's back gets here; the transaction rolls back.
                    throw new NotFoundException("a preset of the batch does not exist");
                }
            }
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only a workspace whose phase is {@code running}, {@code unhealthy} (R11) or {@code failed} and that has no build pending or running
     * gets a delete; its phase becomes {@code deleting}. A workspace still {@code starting} is skipped too: a delete
     * would be taken before its create (deletes go first) and the create's completion would bring it back.
     *
     * <p>A plan's delete (any reason but {@link DeleteRequest.Reason#RELEASED}) applies only to an unclaimed prebuild, and
     * a release only to a claimed workspace: a prebuild claimed between the pass's snapshot and this call is
     * therefore never deleted under its new owner. The workspace rows are locked (in id order) before anything is
     * written, so two callers enqueueing the same delete at once enqueue it once.
     *
     * <p>The preset of the build is the workspace's own; the request's preset is not consulted.
     */
    @Override
    public int enqueueDeletes(List<DeleteRequest> deletes, Instant now) {
        Objects.requireNonNull(deletes, "deletes");
        Instant at = millis(now);
        if (deletes.isEmpty()) {
            return 0;
        }
        Map<UUID, DeleteRequest.Reason> reasons = new LinkedHashMap<>();
        for (DeleteRequest d : deletes) {
            reasons.putIfAbsent(d.workspace().value(), d.reason());
        }
        List<UUID> released = new ArrayList<>();
        List<UUID> planned = new ArrayList<>();
        reasons.forEach((id, reason) -> (reason == DeleteRequest.Reason.RELEASED ? released : planned).add(id));
        return DbErrors.guard("enqueueing " + deletes.size() + " deletes", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Condition whose = WORKSPACES.ID.eq(DSL.any(planned.toArray(UUID[]::new))).and(WORKSPACES.OWNER.eq(PREBUILDS))
                    .or(WORKSPACES.ID.eq(DSL.any(released.toArray(UUID[]::new))).and(WORKSPACES.OWNER.ne(PREBUILDS)));
            // Lock first, in a fixed order, so that concurrent batches cannot deadlock; the phase, rechecked by
            // PostgreSQL after a lock wait, is what makes a second caller skip a workspace the first one took.
            var locked = DSL.select(WORKSPACES.ID).from(WORKSPACES)
                    .where(whose, WORKSPACES.PHASE.in(WorkspacePhase.running, WorkspacePhase.failed, WorkspacePhase.unhealthy))
                    .orderBy(WORKSPACES.ID)
                    .forUpdate();
            Builds inFlight = BUILDS.as("in_flight");
            var taken = tx.update(WORKSPACES)
                    .set(WORKSPACES.PHASE, WorkspacePhase.deleting)
                    .where(WORKSPACES.ID.in(locked),
                            WORKSPACES.PHASE.in(WorkspacePhase.running, WorkspacePhase.failed, WorkspacePhase.unhealthy),
                            DSL.notExists(DSL.selectOne().from(inFlight).where(inFlight.WORKSPACE_ID.eq(WORKSPACES.ID),
                                    inFlight.STATUS.in(BuildStatus.pending, BuildStatus.running))))
                    .returningResult(WORKSPACES.ID, WORKSPACES.PRESET_ID)
                    .fetch();
            if (taken.isEmpty()) {
                return 0;
            }
            UUID[] ids = taken.getValues(WORKSPACES.ID).toArray(UUID[]::new);
            Long[] presets = taken.getValues(WORKSPACES.PRESET_ID).toArray(Long[]::new);
            String[] why = new String[ids.length];
            for (int i = 0; i < ids.length; i++) {
                why[i] = reasons.get(ids[i]).name();
            }
            tx.insertInto(BUILDS, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS,
                            BUILDS.REASON, BUILDS.NOT_BEFORE, BUILDS.CREATED_AT)
                    .select(DSL.select(ROW_ID, ROW_PRESET, DSL.val(BuildTransition.delete), DSL.val(BuildStatus.pending),
                            ROW_TEXT, DSL.val(at), DSL.val(at)).from(rows(ids, presets, why)))
                    .execute();
            return ids.length;
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Pending creates locked by a worker that is taking them right now are skipped ({@code SKIP LOCKED}): they
     * are being taken, and taken creates are never interrupted. Canceled builds get {@code finished_at = now};
     * their workspaces, never provisioned, become {@code deleted}. Unknown presets have nothing to cancel.
     */
    @Override
    public int cancelQueuedCreates(Set<PresetId> presets, Instant now) {
        Objects.requireNonNull(presets, "presets");
        Instant at = millis(now);
        if (presets.isEmpty()) {
            return 0;
        }
        return DbErrors.guard("canceling queued creates", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Collection<Long> rowIds = presetIds.rowIds(tx, presets).values();
            if (rowIds.isEmpty()) {
                return 0;
            }
            Builds queued = BUILDS.as("queued");
            List<UUID> workspaces = tx.update(BUILDS)
                    .set(BUILDS.STATUS, BuildStatus.canceled)
                    .set(BUILDS.FINISHED_AT, at)
                    .where(BUILDS.ID.in(DSL.select(queued.ID).from(queued)
                            .where(queued.PRESET_ID.eq(DSL.any(rowIds.toArray(Long[]::new))),
                                    queued.STATUS.eq(BuildStatus.pending),
                                    queued.TRANSITION.eq(BuildTransition.create))
                            .forUpdate().skipLocked()))
                    .and(BUILDS.STATUS.eq(BuildStatus.pending))
                    .returningResult(BUILDS.WORKSPACE_ID)
                    .fetch(BUILDS.WORKSPACE_ID);
            if (workspaces.isEmpty()) {
                return 0;
            }
            tx.update(WORKSPACES)
                    .set(WORKSPACES.PHASE, WorkspacePhase.deleted)
                    .set(WORKSPACES.DELETED_AT, at)
                    .where(WORKSPACES.ID.eq(DSL.any(workspaces.toArray(UUID[]::new))))
                    .execute();
            return workspaces.size();
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One statement: the next pending build with {@code not_before ≤ now}, in the order of the
     * {@code builds_pending} index ({@code transition desc, id}: deletes first, then oldest), is locked with
     * {@code SKIP LOCKED} and marked running with {@code started_at = heartbeat_at = now} and {@code attempt + 1}.
     * The job carries the workspace's name and owner, the preset's identity and parameters and, for a delete, the
     * workspace's outputs, all returned by the same statement.
     */
    @Override
    public Optional<Job> acquire(WorkerId worker, Instant now) {
        Objects.requireNonNull(worker, "worker");
        Instant at = millis(now);
        return DbErrors.guard("taking a job", () -> Optional.ofNullable(acquire.first(dsl, rs -> {
            // By position, in the order of acquireStatement's returning list: the statement is rendered once and
            // run as a JDBC prepared statement (RenderedSql), because building and reading it through jOOQ was
            // ~85 % of the worker threads' CPU (0.85–1.5 ms a job, 170–215 µs after; docs/benchmarks.md, workers).
            Transition transition = transition(BuildTransition.lookupLiteral(rs.getString(2)));
            PresetId preset = presetIds.remembered(rs.getLong(4), rs.getString(10), rs.getString(11), rs.getString(12));
            return new Job(new JobId(rs.getLong(1)), transition, new WorkspaceId(RenderedSql.uuid(rs, 3)),
                    rs.getString(6), rs.getString(7), preset, Json.map(JSONB.valueOf(rs.getString(9))),
                    transition == Transition.DELETE ? Json.map(JSONB.valueOf(rs.getString(8))) : Map.of(), rs.getInt(5));
        }, worker.value(), at)));
    }

    /**
     * The statement of {@link #acquire}, arguments (worker, now). A scalar subquery is evaluated once, so exactly one
     * row is locked and taken; the preset's identity comes along, so taking a job is one statement, cache or not.
     */
    private static Query acquireStatement() {
        Builds next = BUILDS.as("next");
        Param<Instant> at = RenderedSql.arg(1, Instant.class);
        return DSL.update(BUILDS)
                .set(BUILDS.STATUS, DSL.inline(BuildStatus.running))
                .set(BUILDS.WORKER, RenderedSql.arg(0, String.class))
                .set(BUILDS.STARTED_AT, at)
                .set(BUILDS.HEARTBEAT_AT, at)
                .set(BUILDS.ATTEMPT, BUILDS.ATTEMPT.plus(DSL.inline(1)))
                .from(WORKSPACES, PRESETS, TEMPLATE_VERSIONS, TEMPLATES)
                .where(BUILDS.ID.eq(DSL.field(DSL.select(next.ID).from(next)
                        // Inlined, not bound: a prepared statement's generic plan cannot prove the partial
                        // index builds_pending's predicate from a parameter and scans every build instead.
                        .where(next.STATUS.eq(DSL.inline(BuildStatus.pending)), next.NOT_BEFORE.le(at))
                        .orderBy(next.TRANSITION.desc(), next.ID)
                        // Inlined too: with a bound LIMIT the generic plan's cost assumes a tenth of the
                        // pending builds are fetched, so PostgreSQL would re-plan the statement at every call.
                        .limit(DSL.inline(1))
                        .forUpdate().skipLocked())))
                .and(WORKSPACES.ID.eq(BUILDS.WORKSPACE_ID))
                .and(PRESETS.ID.eq(BUILDS.PRESET_ID))
                .and(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .and(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .returningResult(BUILDS.ID, BUILDS.TRANSITION, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID,
                        BUILDS.ATTEMPT, WORKSPACES.NAME, WORKSPACES.OWNER, WORKSPACES.OUTPUTS, PRESETS.PARAMETERS,
                        TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME);
    }

    /** {@inheritDoc} One guarded UPDATE: only a running job held by {@code worker} gets the new heartbeat. */
    @Override
    public boolean heartbeat(JobId job, WorkerId worker, Instant now) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(worker, "worker");
        Instant at = millis(now);
        return DbErrors.guard("recording a heartbeat of job " + job, () -> dsl.update(BUILDS)
                .set(BUILDS.HEARTBEAT_AT, at)
                .where(BUILDS.ID.eq(job.value()), BUILDS.STATUS.eq(BuildStatus.running), BUILDS.WORKER.eq(worker.value()))
                .execute() == 1);
    }

    /**
     * {@inheritDoc}
     *
     * <p>In one transaction, usually of one statement: a guarded {@code UPDATE} of the build (only while it is still
     * running and held by {@code worker}) gives it its status, {@code finished_at}, error code, error (at most
     * {@value #MAX_ERROR} characters, the head kept) and log (at most {@value #MAX_LOG} characters, the tail kept,
     * since the end of a log says why it failed); a data-modifying CTE of the same statement moves the workspace's
     * phase along: a succeeded create → {@code running} with {@code ready_at} and its outputs, a succeeded delete →
     * {@code deleted}, any failure → {@code failed} with {@code failed_at}, so that it is cleaned up later. The same
     * statement returns the preset's stored failure state.
     *
     * <p>For a create, {@code failureChange} is applied to that state. When it changes nothing (a success of a
     * preset with no failures, the steady state) nothing more is written. Otherwise the new state is written with a
     * compare-and-set on the state read; if another transaction changed the state in between, the row is locked,
     * read again and {@code failureChange} applied to what it holds, so every outcome is applied exactly once, in
     * some serial order, as with a lock taken up front.
     */
    @Override
    public Optional<FailureTransition> complete(JobId job, WorkerId worker, JobResult result, Instant now,
                                                Function<FailureState, FailureTransition> failureChange) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(failureChange, "failureChange");
        Instant at = millis(now);
        return DbErrors.guard("recording the result of job " + job, () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Ended ended = result instanceof JobResult.Failed failed
                    ? finishFailed.first(tx, Ended::read, job.value(), worker.value(), at,
                            boundedError(failed.code()), boundedError(failed.error()), boundedLog(result.log()))
                    : finishSucceeded.first(tx, Ended::read, job.value(), worker.value(), at, boundedLog(result.log()),
                            Json.of(sanitized(((JobResult.Succeeded) result).outputs())));
            if (ended == null) {
                throw new JobNotHeldException(job, worker);
            }
            if (ended.transition() != BuildTransition.create || ended.provisioned()) {
                // R10: a provisioned create counts for R3 when it becomes ready (or fails to), not now
                return Optional.<FailureTransition>empty();
            }
            return Optional.of(FailureStates.apply(tx, ended.presetRowId(), ended.hasState(), ended.state(),
                    failureChange, at));
        }));
    }

    /** What {@link #finishStatement} returns: the build's transition and preset, and the preset's stored state. */
    private record Ended(BuildTransition transition, long presetRowId, boolean hasState, FailureState state,
                         boolean provisioned) {

        /** By position, in the order of {@code finishStatement}'s final select (see the comment in {@code acquire}). */
        static Ended read(ResultSet rs) throws SQLException {
            Integer k = RenderedSql.integer(rs, 3);
            String status = rs.getString(6);
            return new Ended(BuildTransition.lookupLiteral(rs.getString(1)), rs.getLong(2), k != null,
                    FailureStates.toDomain(k, RenderedSql.instant(rs, 4), RenderedSql.instant(rs, 5),
                            status == null ? null : PresetStatus.lookupLiteral(status)),
                    rs.getString(7) != null);
        }
    }

    /**
     * The build's end and its workspace's phase in one statement: {@code WITH b AS (UPDATE builds … RETURNING …),
     * w AS (UPDATE workspaces … FROM b …) SELECT … FROM b LEFT JOIN preset_failure_states}; no row when the build is
     * not running under the worker (then nothing was changed). Arguments (job, worker, now, log, outputs) for a
     * success; (job, worker, now, error code, error, log) for a failure. With {@code awaited}, the guard is "running
     * and awaiting a callback" instead, and the worker argument is not used (pass null).
     */
    private static Query finishStatement(boolean succeeded, boolean awaited) {
        Param<Instant> at = RenderedSql.arg(2, Instant.class);
        CommonTableExpression<Record3<BuildTransition, UUID, Long>> ended = DSL.name("b")
                .fields("transition", "workspace_id", "preset_id")
                .as(DSL.update(BUILDS)
                        .set(BUILDS.STATUS, DSL.inline(succeeded ? BuildStatus.succeeded : BuildStatus.failed))
                        .set(BUILDS.FINISHED_AT, at)
                        // Cleared on success: a release may have left an "unavailable" note from an earlier attempt.
                        .set(BUILDS.ERROR_CODE, succeeded ? DSL.inline(null, BUILDS.ERROR_CODE) : RenderedSql.arg(3, String.class))
                        .set(BUILDS.ERROR, succeeded ? DSL.inline(null, BUILDS.ERROR) : RenderedSql.arg(4, String.class))
                        .set(BUILDS.LOG, RenderedSql.arg(succeeded ? 3 : 5, String.class))
                        .where(BUILDS.ID.eq(RenderedSql.arg(0, Long.class)),
                                BUILDS.STATUS.eq(DSL.inline(BuildStatus.running)),
                                awaited ? BUILDS.AWAITING_CALLBACK_UNTIL.isNotNull()
                                        : BUILDS.WORKER.eq(RenderedSql.arg(1, String.class)))
                        .returningResult(BUILDS.TRANSITION, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID));
        Field<BuildTransition> transition = ended.field("transition", BuildTransition.class);
        Field<UUID> workspace = ended.field("workspace_id", UUID.class);
        Field<Long> preset = ended.field("preset_id", Long.class);
        Condition create = transition.eq(DSL.inline(BuildTransition.create));
        Map<Field<?>, Field<?>> outcome = new LinkedHashMap<>();
        if (!succeeded) {
            // Failed creates and failed deletes alike: a failed workspace is cleaned up (again) by a later pass.
            outcome.put(WORKSPACES.PHASE, DSL.inline(WorkspacePhase.failed));
            outcome.put(WORKSPACES.FAILED_AT, at);
        } else {
            // R10: a create of a preset with readiness is provisioned, not ready: no ready_at, a deadline, and a
            // first check due at once when the provisioner checks readiness. R11: a ready prebuild of a preset with
            // health has its first liveness check one interval later.
            Condition readiness = PRESETS.READINESS_CHECK.isNotNull();
            outcome.put(WORKSPACES.PHASE, DSL.when(create.and(readiness), DSL.inline(WorkspacePhase.provisioned))
                    .when(create, DSL.inline(WorkspacePhase.running))
                    .otherwise(DSL.inline(WorkspacePhase.deleted)));
            outcome.put(WORKSPACES.READY_AT, DSL.when(create.and(readiness), DSL.inline(null, WORKSPACES.READY_AT))
                    .when(create, at).otherwise(WORKSPACES.READY_AT));
            outcome.put(WORKSPACES.READY_DEADLINE, DSL.when(create.and(readiness),
                    DSL.field("{0} + {1} * interval '1 millisecond'", Instant.class, at, PRESETS.READINESS_TIMEOUT_MS))
                    .otherwise(DSL.inline(null, WORKSPACES.READY_DEADLINE)));
            outcome.put(WORKSPACES.NEXT_CHECK_AT, DSL
                    .when(create.and(PRESETS.READINESS_CHECK.eq(DSL.inline("provisioner"))), at)
                    .when(create.and(readiness), DSL.inline(null, WORKSPACES.NEXT_CHECK_AT))
                    .when(create.and(PRESETS.HEALTH_INTERVAL_MS.isNotNull()),
                            DSL.field("{0} + {1} * interval '1 millisecond'", Instant.class, at, PRESETS.HEALTH_INTERVAL_MS))
                    .otherwise(DSL.inline(null, WORKSPACES.NEXT_CHECK_AT)));
            outcome.put(WORKSPACES.UNHEALTHY_ANSWERS, DSL.inline(0));
            outcome.put(WORKSPACES.OUTPUTS, DSL.when(create, RenderedSql.arg(4, JSONB.class))
                    .otherwise(WORKSPACES.OUTPUTS));
            outcome.put(WORKSPACES.DELETED_AT, DSL.when(create, WORKSPACES.DELETED_AT).otherwise(at));
        }
        CommonTableExpression<Record1<UUID>> moved = DSL.name("w").fields("id")
                .as(DSL.update(WORKSPACES)
                        .set(outcome)
                        .from(ended.join(PRESETS).on(PRESETS.ID.eq(preset)))
                        .where(WORKSPACES.ID.eq(workspace))
                        .returningResult(WORKSPACES.ID));
        return DSL.with(ended, moved)
                .select(transition, preset, PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES,
                        PRESET_FAILURE_STATES.LAST_FAILURE_AT, PRESET_FAILURE_STATES.RETRY_NOT_BEFORE,
                        PRESET_FAILURE_STATES.STATUS,
                        succeeded ? PRESETS.READINESS_CHECK : DSL.inline(null, PRESETS.READINESS_CHECK))
                .from(ended)
                .join(PRESETS).on(PRESETS.ID.eq(preset))
                .leftJoin(PRESET_FAILURE_STATES).on(PRESET_FAILURE_STATES.PRESET_ID.eq(preset));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The build goes back to {@code pending} with no worker and no heartbeat, {@code not_before = notBefore},
     * and the reason noted as error code {@value #UNAVAILABLE}; its {@code attempt} is kept, so the next take
     * counts up. Nothing is counted against the preset.
     */
    @Override
    public void release(JobId job, WorkerId worker, String reason, Instant notBefore, Instant now) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(now, "now"); // part of the contract; a release writes only notBefore
        int released = DbErrors.guard("releasing job " + job, () -> dsl.update(BUILDS)
                .set(BUILDS.STATUS, BuildStatus.pending)
                .set(BUILDS.WORKER, (String) null)
                .set(BUILDS.HEARTBEAT_AT, (Instant) null)
                .set(BUILDS.STARTED_AT, (Instant) null)
                .set(BUILDS.NOT_BEFORE, millis(notBefore))
                .set(BUILDS.ERROR_CODE, UNAVAILABLE)
                .set(BUILDS.ERROR, boundedError(reason == null ? "" : reason))
                .where(BUILDS.ID.eq(job.value()), BUILDS.STATUS.eq(BuildStatus.running), BUILDS.WORKER.eq(worker.value()))
                .execute());
        if (released == 0) {
            throw new JobNotHeldException(job, worker);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Builds awaiting a callback are skipped. In one transaction: the lost builds are locked with {@code SKIP LOCKED} (a build another replica is
     * reaping, or a worker is completing right now, is left to it), failed with error code {@value #WORKER_LOST}
     * and {@code finished_at = now}; their workspaces become {@code failed} so that they are cleaned up. The
     * preset's failure state is not touched (R3).
     */
    @Override
    public List<LostJob> reapLost(Instant heartbeatAtOrBefore, Instant now) {
        Objects.requireNonNull(heartbeatAtOrBefore, "heartbeatAtOrBefore");
        Instant at = millis(now);
        return DbErrors.guard("reaping lost jobs", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Builds lost = BUILDS.as("lost");
            var rows = tx.update(BUILDS)
                    .set(BUILDS.STATUS, BuildStatus.failed)
                    .set(BUILDS.FINISHED_AT, at)
                    .set(BUILDS.ERROR_CODE, WORKER_LOST)
                    .set(BUILDS.ERROR, "the worker stopped heartbeating; the job was failed as lost")
                    .where(BUILDS.ID.in(DSL.select(lost.ID).from(lost)
                            .where(lost.STATUS.eq(DSL.inline(BuildStatus.running)), lost.HEARTBEAT_AT.le(heartbeatAtOrBefore),
                                    // awaiting a callback: no worker to lose; it ends at its own deadline
                                    lost.AWAITING_CALLBACK_UNTIL.isNull())
                            .forUpdate().skipLocked()))
                    .and(BUILDS.STATUS.eq(BuildStatus.running))
                    .returningResult(BUILDS.ID, BUILDS.TRANSITION, BUILDS.PRESET_ID, BUILDS.WORKSPACE_ID)
                    .fetch();
            if (rows.isEmpty()) {
                return List.of();
            }
            tx.update(WORKSPACES)
                    .set(WORKSPACES.PHASE, WorkspacePhase.failed)
                    .set(WORKSPACES.FAILED_AT, at)
                    .where(WORKSPACES.ID.eq(DSL.any(rows.getValues(BUILDS.WORKSPACE_ID).toArray(UUID[]::new))))
                    .execute();
            List<LostJob> out = new ArrayList<>(rows.size());
            for (var r : rows) {
                out.add(new LostJob(new JobId(r.value1()), transition(r.value2()), presetIds.presetOf(tx, r.value3()),
                        new WorkspaceId(r.value4())));
            }
            return out;
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One guarded {@code UPDATE}: only a running build held by {@code worker} gets its deadline. Its worker and last
     * heartbeat stay as they were (they say who took it, and when it was last seen), but {@link #reapLost} skips it.
     */
    @Override
    public void awaitCallback(JobId job, WorkerId worker, Instant until, Instant now) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(worker, "worker");
        Instant deadline = millis(Objects.requireNonNull(until, "until"));
        Objects.requireNonNull(now, "now"); // part of the contract; the deadline is what is written
        int marked = DbErrors.guard("recording that job " + job + " awaits its callback", () -> dsl.update(BUILDS)
                .set(BUILDS.AWAITING_CALLBACK_UNTIL, deadline)
                .where(BUILDS.ID.eq(job.value()), BUILDS.STATUS.eq(BuildStatus.running), BUILDS.WORKER.eq(worker.value()),
                        BUILDS.AWAITING_CALLBACK_UNTIL.isNull())
                .execute());
        if (marked == 0) {
            throw new JobNotHeldException(job, worker);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>In one transaction: the build row is locked ({@code FOR UPDATE}, so of two racing completions the second
     * waits and then finds it finished) and judged; then the same statement as {@link #complete}'s, guarded by
     * "running and awaiting a callback" instead of the worker, finishes it and moves the workspace; for a create the
     * failure state is changed as {@link #complete} does.
     */
    @Override
    public AwaitedCompletion completeAwaited(JobId job, JobResult result, Instant now,
                                             Function<FailureState, FailureTransition> failureChange) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(failureChange, "failureChange");
        Instant at = millis(now);
        return DbErrors.guard("recording the callback of build " + job, () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var row = tx.select(BUILDS.STATUS, BUILDS.TRANSITION, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID,
                            BUILDS.STARTED_AT, BUILDS.AWAITING_CALLBACK_UNTIL)
                    .from(BUILDS).where(BUILDS.ID.eq(job.value())).forUpdate().fetchOne();
            if (row == null) {
                throw new NotFoundException("no build " + job);
            }
            BuildStatus status = row.value1();
            Instant until = row.value6();
            if (status == BuildStatus.running && until == null) {
                throw new NotYetAwaitingException(job);
            }
            if (status != BuildStatus.running) {
                throw new io.warmpool.application.port.out.ConflictException("build " + job
                        + " is not awaiting a callback: it is " + status.getLiteral()
                        + (until == null ? "" : " (it completed already)"));
            }
            Ended ended = result instanceof JobResult.Failed failed
                    ? finishAwaitedFailed.first(tx, Ended::read, job.value(), null, at,
                            boundedError(failed.code()), boundedError(failed.error()), boundedLog(result.log()))
                    : finishAwaitedSucceeded.first(tx, Ended::read, job.value(), null, at, boundedLog(result.log()),
                            Json.of(sanitized(((JobResult.Succeeded) result).outputs())));
            if (ended == null) {
                // The row is locked and was judged above; reaching this is a bug, and the transaction rolls back.
                throw new IllegalStateException("build " + job + " could not be finished");
            }
            AwaitedJob awaited = new AwaitedJob(job, transition(row.value2()), presetIds.presetOf(tx, row.value4()),
                    new WorkspaceId(row.value3()), row.value5(), until);
            if (ended.transition() != BuildTransition.create || ended.provisioned()) {
                // R10: a provisioned create counts for R3 when it becomes ready (or fails to), not now
                return new AwaitedCompletion(awaited, Optional.empty());
            }
            return new AwaitedCompletion(awaited, Optional.of(FailureStates.apply(tx, ended.presetRowId(),
                    ended.hasState(), ended.state(), failureChange, at)));
        }));
    }

    /** {@inheritDoc} One read over the partial index {@code builds_awaiting_callback}. */
    @Override
    public List<AwaitedJob> overdueCallbacks(Instant now, int limit) {
        Instant at = millis(now);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return DbErrors.guard("reading overdue callbacks", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var rows = tx.select(BUILDS.ID, BUILDS.TRANSITION, BUILDS.PRESET_ID, BUILDS.WORKSPACE_ID, BUILDS.STARTED_AT,
                            BUILDS.AWAITING_CALLBACK_UNTIL)
                    .from(BUILDS)
                    .where(BUILDS.STATUS.eq(DSL.inline(BuildStatus.running)), BUILDS.AWAITING_CALLBACK_UNTIL.isNotNull(),
                            BUILDS.AWAITING_CALLBACK_UNTIL.le(at))
                    .orderBy(BUILDS.AWAITING_CALLBACK_UNTIL, BUILDS.ID)
                    .limit(limit)
                    .fetch();
            List<AwaitedJob> out = new ArrayList<>(rows.size());
            for (var r : rows) {
                out.add(new AwaitedJob(new JobId(r.value1()), transition(r.value2()), presetIds.presetOf(tx, r.value3()),
                        new WorkspaceId(r.value4()), r.value5(), r.value6()));
            }
            return out;
        }));
    }

    /** {@inheritDoc} One read over the partial index {@code builds_pending}. */
    @Override
    public Map<Transition, Integer> pendingByKind() {
        return DbErrors.guard("counting pending jobs", () -> {
            Map<Transition, Integer> out = new java.util.EnumMap<>(Transition.class);
            out.put(Transition.CREATE, 0);
            out.put(Transition.DELETE, 0);
            dsl.select(BUILDS.TRANSITION, DSL.count())
                    .from(BUILDS)
                    .where(BUILDS.STATUS.eq(DSL.inline(BuildStatus.pending)))
                    .groupBy(BUILDS.TRANSITION)
                    .fetch()
                    .forEach(r -> out.put(transition(r.value1()), r.value2()));
            return out;
        });
    }

    /**
     * The rows of a batch as a table, {@code unnest(ids, presets, texts) as r(id, preset_id, text)}: the whole batch
     * is three bound arrays, so an {@code INSERT … SELECT} from it is one statement whatever the number of rows, and
     * neither jOOQ nor the driver handles a bind parameter per value (several times faster than a VALUES list).
     */
    private static Table<?> rows(UUID[] ids, Long[] presets, String[] texts) {
        return DSL.table("unnest({0}, {1}, {2})", DSL.val(ids), DSL.val(presets), DSL.val(texts))
                .as(ROWS, "id", "preset_id", "text");
    }

    static Transition transition(BuildTransition t) {
        return t == BuildTransition.create ? Transition.CREATE : Transition.DELETE;
    }

    /**
     * An error as stored: at most {@value #MAX_ERROR} characters. The head is kept (an error message starts with
     * what went wrong) and the cut is marked.
     */
    static String boundedError(String error) {
        if (error == null) {
            return null;
        }
        String text = storable(error);
        if (text.length() <= MAX_ERROR) {
            return text;
        }
        String marker = " … [truncated]";
        int end = MAX_ERROR - marker.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return text.substring(0, end) + marker;
    }

    /**
     * A build log as stored: at most {@value #MAX_LOG} characters. The tail is kept, because the end of a log is
     * where a provisioner says why it failed, and a first line says how much was cut.
     */
    static String boundedLog(String log) {
        if (log == null) {
            return null;
        }
        String text = storable(log);
        if (text.length() <= MAX_LOG) {
            return text;
        }
        // The marker's own length depends on the number it prints; the digit count cannot grow past the
        // original length's, so size the marker with that.
        String template = "[log truncated: %d earlier characters dropped]\n";
        int room = MAX_LOG - String.format(template, text.length()).length();
        int start = text.length() - room;
        if (Character.isLowSurrogate(text.charAt(start))) {
            start++; // never split a surrogate pair
        }
        return String.format(template, start) + text.substring(start);
    }

    /** PostgreSQL text cannot hold NUL; a provisioner's raw output may. */
    private static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    private static Map<String, String> sanitized(Map<String, String> outputs) {
        Map<String, String> out = new LinkedHashMap<>();
        outputs.forEach((k, v) -> out.put(storable(k), storable(v)));
        return out;
    }

    private static Instant millis(Instant now) {
        return Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>((all.size() + ROWS_PER_STATEMENT - 1) / ROWS_PER_STATEMENT);
        for (int i = 0; i < all.size(); i += ROWS_PER_STATEMENT) {
            out.add(all.subList(i, Math.min(all.size(), i + ROWS_PER_STATEMENT)));
        }
        return out;
    }
}
