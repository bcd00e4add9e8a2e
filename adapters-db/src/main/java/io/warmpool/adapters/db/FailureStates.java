package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;

import io.warmpool.adapters.db.jooq.tables.records.PresetFailureStatesRecord;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Instant;
import java.util.function.Function;
import org.jooq.DSLContext;

/** Reads and writes the per-preset failure state rows; the rules themselves stay in the domain. */
final class FailureStates {

    private FailureStates() {
    }

    static FailureState toDomain(Integer k, Instant lastFailureAt, Instant retryNotBefore,
                                 io.warmpool.adapters.db.jooq.enums.PresetStatus status) {
        if (k == null) {
            return FailureState.initial();
        }
        return new FailureState(k, lastFailureAt, retryNotBefore, toDomain(status));
    }

    static PresetStatus toDomain(io.warmpool.adapters.db.jooq.enums.PresetStatus status) {
        return status == null ? PresetStatus.HEALTHY : PresetStatus.valueOf(status.name().toUpperCase(java.util.Locale.ROOT));
    }

    static io.warmpool.adapters.db.jooq.enums.PresetStatus toRow(PresetStatus status) {
        return io.warmpool.adapters.db.jooq.enums.PresetStatus.valueOf(status.name().toLowerCase(java.util.Locale.ROOT));
    }

    private static PresetFailureStatesRecord lock(DSLContext tx, long presetRowId) {
        return tx.selectFrom(PRESET_FAILURE_STATES)
                .where(PRESET_FAILURE_STATES.PRESET_ID.eq(presetRowId))
                .forUpdate()
                .fetchOne();
    }

    /**
     * Within the caller's transaction: applies {@code change} to the preset's failure state {@code read} (as read
     * without a lock earlier in the transaction; {@link FailureState#initial()} when {@code rowExists} is false) and
     * writes the result when it differs — with a compare-and-set on {@code read}, so nothing is locked and nothing
     * written when the change is no change (a success of a preset without failures). When another transaction
     * changed the row since it was read (or the row is missing), falls back to {@link #update}: the row is locked,
     * read again, and {@code change} is applied to what it holds (only then is it called a second time, so a policy
     * drawing jitter draws once unless it lost such a race).
     */
    static FailureTransition apply(DSLContext tx, long presetRowId, boolean rowExists, FailureState read,
                                   Function<FailureState, FailureTransition> change, Instant now) {
        FailureTransition transition = change.apply(read);
        FailureState after = transition.after();
        if (after.equals(read)) {
            return transition;
        }
        if (rowExists && tx.update(PRESET_FAILURE_STATES)
                .set(PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES, after.consecutiveFailures())
                .set(PRESET_FAILURE_STATES.LAST_FAILURE_AT, after.lastFailureAt())
                .set(PRESET_FAILURE_STATES.RETRY_NOT_BEFORE, after.retryNotBefore())
                .set(PRESET_FAILURE_STATES.STATUS, toRow(after.status()))
                .set(PRESET_FAILURE_STATES.UPDATED_AT, now)
                .where(PRESET_FAILURE_STATES.PRESET_ID.eq(presetRowId),
                        PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES.eq(read.consecutiveFailures()),
                        PRESET_FAILURE_STATES.LAST_FAILURE_AT.isNotDistinctFrom(read.lastFailureAt()),
                        PRESET_FAILURE_STATES.RETRY_NOT_BEFORE.isNotDistinctFrom(read.retryNotBefore()),
                        PRESET_FAILURE_STATES.STATUS.eq(toRow(read.status())))
                .execute() == 1) {
            return transition;
        }
        return update(tx, presetRowId, state -> state.equals(read) ? transition : change.apply(state), now);
    }

    /**
     * Within the caller's transaction: locks the preset's failure state row, applies {@code change}, writes the
     * result. Creates the row when missing (a preset stored before it had one).
     */
    static FailureTransition update(DSLContext tx, long presetRowId, Function<FailureState, FailureTransition> change,
                                    Instant now) {
        PresetFailureStatesRecord row = lock(tx, presetRowId);
        if (row == null) {
            // Presets get their row when applied; this only covers a row lost some other way.
            tx.insertInto(PRESET_FAILURE_STATES)
                    .set(PRESET_FAILURE_STATES.PRESET_ID, presetRowId)
                    .set(PRESET_FAILURE_STATES.UPDATED_AT, now)
                    .onConflictDoNothing()
                    .execute();
            row = lock(tx, presetRowId);
        }
        if (row == null) {
            throw new NotFoundException("preset row " + presetRowId + " has no failure state");
        }
        FailureState before = toDomain(row.getConsecutiveFailures(), row.getLastFailureAt(), row.getRetryNotBefore(), row.getStatus());
        FailureTransition transition = change.apply(before);
        FailureState after = transition.after();
        if (!after.equals(before)) {
            row.setConsecutiveFailures(after.consecutiveFailures());
            row.setLastFailureAt(after.lastFailureAt());
            row.setRetryNotBefore(after.retryNotBefore());
            row.setStatus(toRow(after.status()));
            row.setUpdatedAt(now);
            row.update();
        }
        return transition;
    }
}
