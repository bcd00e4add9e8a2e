package io.warmpool.application.port.out;

import java.util.Map;
import java.util.Objects;

/** How a job the worker ran ended, as recorded on the build. */
public sealed interface JobResult permits JobResult.Succeeded, JobResult.Failed {

    /** Bounded build log (the provisioner's output), possibly empty. */
    String log();

    /** The provisioner did it; {@code outputs} are kept with the workspace and returned on claim. */
    record Succeeded(Map<String, String> outputs, String log) implements JobResult {
        public Succeeded {
            outputs = Map.copyOf(outputs);
            log = log == null ? "" : log;
        }
    }

    /**
     * The provisioner failed.
     *
     * @param code      a short machine-readable code: {@code failed}, {@code permanent}, {@code worker_lost}, {@code error}
     * @param permanent the provisioner marked the error permanent (R5)
     */
    record Failed(String code, String error, boolean permanent, String log) implements JobResult {
        public Failed {
            Objects.requireNonNull(code, "code");
            error = error == null ? "" : error;
            log = log == null ? "" : log;
        }
    }
}
