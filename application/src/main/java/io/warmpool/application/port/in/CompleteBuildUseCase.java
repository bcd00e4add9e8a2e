package io.warmpool.application.port.in;

import java.util.Objects;

/**
 * The signed callback of asynchronous builds (SPEC §4 http, issue 15 "asynchronous completion"): a provisioner that
 * answered a create or delete with {@code 202 Accepted} reports the outcome later, on any replica, by
 * {@code POST /api/v1/builds/{id}/complete}. The outcome is recorded exactly as a worker records a synchronous one
 * (the build, the workspace's phase, for a create the preset's failure state R3–R5, events, metrics).
 */
public interface CompleteBuildUseCase {

    /**
     * Verifies the callback (signature under the provisioner's secret, timestamp within the window, the body names
     * this build) and records its outcome.
     *
     * @throws CallbackRejectedException when the signature or timestamp does not verify, or the body is signed for
     *                                   another build; nothing is changed
     * @throws IllegalArgumentException  when the body is verified but is not a callback; nothing is changed
     * @throws io.warmpool.application.port.out.NotFoundException when there is no such build
     * @throws io.warmpool.application.port.out.ConflictException when the build is not awaiting a callback (it has
     *                                   completed already — a second callback — or it never was asynchronous)
     */
    Completed complete(Callback callback);

    /**
     * A callback as received.
     *
     * @param buildId   the build named by the route
     * @param body      the raw body bytes (the signature covers exactly these)
     * @param timestamp the timestamp header, or null when missing
     * @param signature the signature header, or null when missing
     */
    record Callback(long buildId, byte[] body, String timestamp, String signature) {
        public Callback {
            Objects.requireNonNull(body, "body");
            if (buildId < 1) {
                throw new IllegalArgumentException("build id must be a positive whole number, was " + buildId);
            }
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /**
     * What was recorded.
     *
     * @param transition {@code create} or {@code delete}
     * @param outcome    {@code succeeded}, {@code failed} or {@code permanent}
     */
    record Completed(long buildId, String transition, String outcome) {
    }

    /** The callback is not authentic or not fresh; adapters answer 401 without saying more than the reason. */
    final class CallbackRejectedException extends RuntimeException {
        public CallbackRejectedException(String message) {
            super(message);
        }
    }
}
