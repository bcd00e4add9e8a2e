package io.warmpool.application.port.in;

import java.time.Instant;

/**
 * One build of a workspace with its outcome ({@link InspectUseCase}, {@link PresetHistoryUseCase}): the use case's
 * own answer. {@code error} and {@code log} are bounded.
 *
 * @param id        the build's job id
 * @param status    the job's status code, e.g. {@code SUCCEEDED}
 * @param reason    why it was enqueued, e.g. {@code DESIRED} or a delete reason
 * @param errorCode {@code transient} or {@code permanent} for a failed build, else {@code null}
 * @param awaitingCallbackUntil while a running build awaits its provisioner's callback (after a {@code 202
 *                              Accepted}), the deadline; else {@code null}
 */
public record Build(long id, Transition transition, String status, String reason, int attempt, Instant createdAt,
                    Instant startedAt, Instant finishedAt, String errorCode, String error, String log,
                    Instant awaitingCallbackUntil) {

    /** A build that never awaited a callback. */
    public Build(long id, Transition transition, String status, String reason, int attempt, Instant createdAt,
                 Instant startedAt, Instant finishedAt, String errorCode, String error, String log) {
        this(id, transition, status, reason, attempt, createdAt, startedAt, finishedAt, errorCode, error, log, null);
    }

    /**
     * The kinds of build (SPEC §1, R10–R12), one for each provisioner transition. Builds of the queue are creates
     * and deletes today; {@code CHECK} and {@code CLAIM} are the provisioner's other transitions, named here so
     * the read model covers every one (no build of those kinds is recorded yet).
     */
    public enum Transition { CREATE, DELETE, CHECK, CLAIM }
}
