package io.warmpool.application.port.out;

import java.util.Map;
import java.util.Objects;

/** How a provisioner call ended (SPEC §4 adapters-provisioner). */
public sealed interface ProvisionResult
        permits ProvisionResult.Succeeded, ProvisionResult.Failed, ProvisionResult.Unavailable {

    /** Done; {@code outputs} are kept with the workspace. {@code log} is bounded by the provisioner. */
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
}
