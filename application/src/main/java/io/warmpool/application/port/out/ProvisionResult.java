package io.warmpool.application.port.out;

import java.util.Map;
import java.util.Objects;

/**
 * How a provisioner call ended (SPEC §4 adapters-provisioner, R10–R12). By transition:
 * <ul>
 *   <li>create, delete: {@link Succeeded} (a create's outputs), {@link Failed} or {@link Unavailable};</li>
 *   <li>check: {@link Checked} with the answer, {@link Failed} when no answer could be had (the check ran but failed,
 *       timed out or answered something that is not a status; says nothing certain about the workspace), or
 *       {@link Unavailable} (counts nothing, R3/R11);</li>
 *   <li>claim: {@link Succeeded} with the outputs to merge over the create's (R12), {@link Failed} on a failure or
 *       the claim timeout, or {@link Unavailable}.</li>
 * </ul>
 * A create or delete may also end {@link Accepted}: the infrastructure took the request and will report the outcome
 * later, through a signed callback (the http provisioner's {@code 202 Accepted}).
 */
public sealed interface ProvisionResult
        permits ProvisionResult.Succeeded, ProvisionResult.Failed, ProvisionResult.Unavailable, ProvisionResult.Checked,
        ProvisionResult.Accepted {

    /**
     * Done; {@code outputs} are kept with the workspace (a claim's are merged over the create's). {@code log} is
     * bounded by the provisioner.
     */
    record Succeeded(Map<String, String> outputs, String log) implements ProvisionResult {
        public Succeeded {
            outputs = Map.copyOf(outputs);
            log = log == null ? "" : log;
        }
    }

    /**
     * Failed. {@code permanent} when the provisioner marks the error permanent (invalid parameters, bad
     * template): it sets the preset's status to validation_failed (R5); otherwise it is transient.
     */
    record Failed(String error, boolean permanent, String log) implements ProvisionResult {
        public Failed {
            Objects.requireNonNull(error, "error");
            log = log == null ? "" : log;
        }
    }

    /**
     * The provisioner could not be asked at all (for example its circuit is open). Says nothing about the
     * preset: the failure state is not touched and the job is tried again later (R3).
     */
    record Unavailable(String reason) implements ProvisionResult {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A check's answer (R10, R11).
     *
     * @param health    what the provisioner said
     * @param detail    its explanation ({@code "error"} of the answer), may be empty
     * @param permanent only with {@link Health#FAILED}: the workspace can never become ready and the preset's
     *                  template is at fault (R5), as a permanent create failure
     * @param log       bounded by the provisioner
     */
    record Checked(Health health, String detail, boolean permanent, String log) implements ProvisionResult {
        public Checked {
            Objects.requireNonNull(health, "health");
            detail = detail == null ? "" : detail;
            log = log == null ? "" : log;
            if (permanent && health != Health.FAILED) {
                throw new IllegalArgumentException("only a failed check can be permanent, not " + health.wire());
            }
        }

        /** A plain answer: no detail, not permanent. */
        public static Checked of(Health health, String log) {
            return new Checked(health, "", false, log);
        }
    }

    /**
     * The provisioner accepted a create or delete and will report its outcome later, by a callback that any replica
     * may receive (SPEC §4 http, issue 15 "asynchronous completion"). The build stays running, awaiting the callback,
     * until {@code timeout} after it was taken; a callback that never comes fails it then (a create counts in R3).
     *
     * @param timeout how long, from the moment the job was taken, the outcome may take (the transition's timeout)
     * @param log     bounded by the provisioner
     */
    record Accepted(java.time.Duration timeout, String log) implements ProvisionResult {
        public Accepted {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            log = log == null ? "" : log;
        }
    }
}
