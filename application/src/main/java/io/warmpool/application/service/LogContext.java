package io.warmpool.application.service;

import io.warmpool.application.port.out.Job;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Context fields on every log record written while a job or a preset's work is done on this thread (SLF4J's MDC):
 * {@code job} and {@code build} (the job's id and the build id a provisioner sees as its idempotency key),
 * {@code preset}, {@code workspace}. Closing restores what the thread had before, so the fields never outlive the
 * work on a pooled thread, and a job's fields inside a request's keep the request's. The application may use the
 * SLF4J API as a logging facade, never a backend (docs/decisions.md).
 */
final class LogContext implements AutoCloseable {

    static final String JOB = "job";
    static final String BUILD = "build";
    static final String PRESET = "preset";
    static final String WORKSPACE = "workspace";

    private final Map<String, String> previous = new LinkedHashMap<>();

    private LogContext() {
    }

    /** The fields of a job: its id, its build id, its preset and workspace. */
    static LogContext of(Job job) {
        return new LogContext().put(JOB, Long.toString(job.id().value())).put(BUILD, "build-" + job.id().value())
                .put(PRESET, text(job.preset())).put(WORKSPACE, text(job.workspace()));
    }

    /** The fields of a preset and, when not null, a workspace of it. */
    static LogContext of(PresetId preset, WorkspaceId workspace) {
        return new LogContext().put(PRESET, text(preset)).put(WORKSPACE, text(workspace));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private LogContext put(String key, String value) {
        if (value != null) {
            previous.putIfAbsent(key, MDC.get(key));
            MDC.put(key, value);
        }
        return this;
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
