package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Readiness and liveness checks (SPEC R10, R11) on the {@code workspaces} table, implementing
 * {@link WorkspaceChecksPort}: a due check is a workspace row whose {@code next_check_at} has passed, taken with
 * {@code FOR UPDATE SKIP LOCKED} and leased by moving {@code next_check_at} ahead. Every change is guarded by the
 * phase and by {@code owner = 'prebuilds'}; failure-state changes reuse {@link FailureStates} in the same transaction.
 */
final class JooqWorkspaceChecksAdapter implements WorkspaceChecksPort {

    private static final String PREBUILDS = WorkspacePort.PREBUILDS_OWNER;

    private final DSLContext dsl;
    private final PresetIds presetIds;

    JooqWorkspaceChecksAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
    }

    private static Condition due(Instant at) {
        return WORKSPACES.OWNER.eq(DSL.inline(PREBUILDS))
                .and(WORKSPACES.NEXT_CHECK_AT.isNotNull())
                .and(WORKSPACES.NEXT_CHECK_AT.le(at))
                .and(WORKSPACES.PHASE.eq(DSL.inline(WorkspacePhase.provisioned))
                        .and(PRESETS.READINESS_CHECK.eq(DSL.inline("provisioner")))
                        .or(WORKSPACES.PHASE.eq(DSL.inline(WorkspacePhase.running))
                                .and(PRESETS.HEALTH_INTERVAL_MS.isNotNull())));
    }

    @Override
    public Optional<DueCheck> takeDueCheck(Instant now, Duration lease) {
        Instant at = millis(now);
        Objects.requireNonNull(lease, "lease");
        return DbErrors.guard("taking a due check", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var row = tx.select(WORKSPACES.ID, WORKSPACES.NAME, WORKSPACES.PRESET_ID, PRESETS.PARAMETERS,
                            WORKSPACES.OUTPUTS, WORKSPACES.PHASE, WORKSPACES.UNHEALTHY_ANSWERS,
                            PRESETS.HEALTH_UNHEALTHY_AFTER, PRESETS.HEALTH_INTERVAL_MS)
                    .from(WORKSPACES)
                    .join(PRESETS).on(PRESETS.ID.eq(WORKSPACES.PRESET_ID))
                    .where(due(at))
                    .orderBy(WORKSPACES.NEXT_CHECK_AT, WORKSPACES.ID)
                    .limit(1)
                    .forUpdate().of(WORKSPACES).skipLocked()
                    .fetchOne();
            if (row == null) {
                return Optional.<DueCheck>empty();
            }
            tx.update(WORKSPACES).set(WORKSPACES.NEXT_CHECK_AT, at.plus(lease))
                    .where(WORKSPACES.ID.eq(row.value1())).execute();
            Kind kind = row.value6() == WorkspacePhase.provisioned ? Kind.READINESS : Kind.LIVENESS;
            Long interval = row.value9();
            return Optional.of(new DueCheck(kind, new WorkspaceId(row.value1()), row.value2(),
                    presetIds.presetOf(tx, row.value3()), Json.map(row.value4()), Json.map(row.value5()),
                    row.value7(), kind == Kind.LIVENESS && row.value8() != null ? row.value8() : 0,
                    interval == null ? null : Duration.ofMillis(interval)));
        }));
    }

    @Override
    public Optional<FailureTransition> markReady(WorkspaceId workspace, Instant now,
                                                 Function<FailureState, FailureTransition> failureChange) {
        Instant at = millis(now);
        Map<Field<?>, Object> ready = new LinkedHashMap<>();
        ready.put(WORKSPACES.PHASE, WorkspacePhase.running);
        ready.put(WORKSPACES.READY_AT, at);
        ready.put(WORKSPACES.READY_DEADLINE, null);
        ready.put(WORKSPACES.UNHEALTHY_ANSWERS, 0);
        ready.put(WORKSPACES.NEXT_CHECK_AT, DSL.field(DSL.select(DSL.field(
                "{0} + {1} * interval '1 millisecond'", Instant.class, DSL.val(at), PRESETS.HEALTH_INTERVAL_MS))
                .from(PRESETS).where(PRESETS.ID.eq(WORKSPACES.PRESET_ID))));
        return moveProvisioned("marking workspace " + workspace + " ready", workspace, ready, at, failureChange);
    }

    /**
     * In one transaction: moves a provisioned prebuild on ({@code set}, guarded by phase provisioned and owner
     * prebuilds) and applies {@code failureChange} to its preset's failure state; empty when it is not one (any more).
     */
    private Optional<FailureTransition> moveProvisioned(String what, WorkspaceId workspace, Map<Field<?>, Object> set,
                                                        Instant at, Function<FailureState, FailureTransition> failureChange) {
        return DbErrors.guard(what, () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var moved = tx.update(WORKSPACES)
                    .set(set)
                    .where(WORKSPACES.ID.eq(workspace.value()), WORKSPACES.OWNER.eq(PREBUILDS),
                            WORKSPACES.PHASE.eq(WorkspacePhase.provisioned))
                    .returningResult(WORKSPACES.PRESET_ID)
                    .fetchOne();
            if (moved == null) {
                return Optional.<FailureTransition>empty();
            }
            return Optional.of(FailureStates.update(tx, moved.value1(), failureChange, at));
        }));
    }

    @Override
    public Optional<FailureTransition> failReadiness(WorkspaceId workspace, Instant now,
                                                     Function<FailureState, FailureTransition> failureChange) {
        Instant at = millis(now);
        Map<Field<?>, Object> failed = new LinkedHashMap<>();
        failed.put(WORKSPACES.PHASE, WorkspacePhase.failed);
        failed.put(WORKSPACES.FAILED_AT, at);
        failed.put(WORKSPACES.NEXT_CHECK_AT, null);
        return moveProvisioned("failing the readiness of workspace " + workspace, workspace, failed, at, failureChange);
    }

    @Override
    public List<TimedOut> failOverdue(Instant now, Function<FailureState, FailureTransition> failureChange) {
        Instant at = millis(now);
        return DbErrors.guard("failing overdue readiness", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            var overdue = tx.select(WORKSPACES.ID).from(WORKSPACES)
                    .where(WORKSPACES.PHASE.eq(DSL.inline(WorkspacePhase.provisioned)), WORKSPACES.READY_DEADLINE.le(at))
                    .orderBy(WORKSPACES.READY_DEADLINE, WORKSPACES.ID)
                    .limit(1000)
                    .forUpdate().skipLocked();
            var rows = tx.update(WORKSPACES)
                    .set(WORKSPACES.PHASE, WorkspacePhase.failed)
                    .set(WORKSPACES.FAILED_AT, at)
                    .set(WORKSPACES.NEXT_CHECK_AT, (Instant) null)
                    .where(WORKSPACES.ID.in(overdue), WORKSPACES.PHASE.eq(WorkspacePhase.provisioned))
                    .returningResult(WORKSPACES.ID, WORKSPACES.PRESET_ID, WORKSPACES.CREATED_AT)
                    .fetch()
                    .sortAsc(WORKSPACES.CREATED_AT);
            List<TimedOut> out = new ArrayList<>(rows.size());
            for (var r : rows) {
                // Each counts (R3: failures together each count), one after the other.
                FailureTransition t = FailureStates.update(tx, r.value2(), failureChange, at);
                out.add(new TimedOut(new WorkspaceId(r.value1()), presetIds.presetOf(tx, r.value2()), t));
            }
            return out;
        }));
    }

    @Override
    public boolean reschedule(Kind kind, WorkspaceId workspace, int unhealthyAnswers, Instant nextCheckAt) {
        Instant next = millis(nextCheckAt);
        WorkspacePhase phase = kind == Kind.READINESS ? WorkspacePhase.provisioned : WorkspacePhase.running;
        return DbErrors.guard("rescheduling the check of workspace " + workspace, () -> {
            var update = dsl.update(WORKSPACES).set(WORKSPACES.NEXT_CHECK_AT, next);
            if (kind == Kind.LIVENESS) {
                update = update.set(WORKSPACES.UNHEALTHY_ANSWERS, unhealthyAnswers);
            }
            return update.where(WORKSPACES.ID.eq(workspace.value()), WORKSPACES.OWNER.eq(PREBUILDS),
                    WORKSPACES.PHASE.eq(phase)).execute() == 1;
        });
    }

    @Override
    public boolean markUnhealthy(WorkspaceId workspace, Instant now) {
        Objects.requireNonNull(now, "now");
        return DbErrors.guard("marking workspace " + workspace + " unhealthy", () -> dsl.update(WORKSPACES)
                .set(WORKSPACES.PHASE, WorkspacePhase.unhealthy)
                .set(WORKSPACES.NEXT_CHECK_AT, (Instant) null)
                .where(WORKSPACES.ID.eq(workspace.value()), WORKSPACES.OWNER.eq(PREBUILDS),
                        WORKSPACES.PHASE.eq(WorkspacePhase.running))
                .execute() == 1);
    }

    @Override
    public boolean storeAgentToken(WorkspaceId workspace, String sha256Hex) {
        Objects.requireNonNull(sha256Hex, "sha256Hex");
        return DbErrors.guard("storing the agent token of workspace " + workspace, () -> dsl.update(WORKSPACES)
                .set(WORKSPACES.AGENT_TOKEN_SHA256, sha256Hex)
                .where(WORKSPACES.ID.eq(workspace.value()))
                .execute() == 1);
    }

    @Override
    public Optional<AgentView> agentView(WorkspaceId workspace) {
        return DbErrors.guard("reading workspace " + workspace, () -> dsl
                .select(WORKSPACES.PRESET_ID, WORKSPACES.PHASE, WORKSPACES.OWNER, WORKSPACES.AGENT_TOKEN_SHA256)
                .from(WORKSPACES).where(WORKSPACES.ID.eq(workspace.value()))
                .fetchOptional()
                .map(r -> new AgentView(workspace, presetIds.presetOf(dsl, r.value1()), JooqWorkspaceAdapter.phase(r.value2()),
                        PREBUILDS.equals(r.value3()), r.value4())));
    }

    @Override
    public Optional<WorkspaceId> agentTokenOwner(String sha256Hex) {
        Objects.requireNonNull(sha256Hex, "sha256Hex");
        return DbErrors.guard("looking up an agent token", () -> dsl.select(WORKSPACES.ID).from(WORKSPACES)
                .where(WORKSPACES.AGENT_TOKEN_SHA256.eq(sha256Hex))
                .limit(1)
                .fetchOptional(WORKSPACES.ID)
                .map(WorkspaceId::new));
    }

    private static Instant millis(Instant now) {
        return Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
    }

}
