package io.warmpool.adapters.http.workspaces;

import static io.warmpool.adapters.http.web.Json.code;

import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.Workspace;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A workspace's and a build's JSON (API.md "Workspaces"); builds also appear in a preset's builds. */
public final class WorkspaceJson {

    private WorkspaceJson() {
    }

    record WorkspaceView(String id, String name, String owner, String preset, String version, String phase,
                         boolean claimed, Instant createdAt, Instant claimedAt, Map<String, String> outputs) {
    }

    public record BuildView(long id, String transition, String status, String reason, int attempt, Instant createdAt,
                            Instant startedAt, Instant finishedAt, String errorCode, String error, String log,
                            Instant awaitingCallbackUntil) {
    }

    static WorkspaceView workspace(Workspace w) {
        return new WorkspaceView(w.id().text(), w.name(), w.owner(),
                w.preset() == null ? null : w.preset().ref().toString(),
                w.preset() == null ? null : w.preset().version(),
                w.phase() == null ? null : code(w.phase()), w.claimed(), w.createdAt(), w.claimedAt(),
                new TreeMap<>(w.outputs()));
    }

    public static BuildView build(Build b) {
        return new BuildView(b.id(), code(b.transition()), lower(b.status()), lower(b.reason()), b.attempt(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.errorCode(), b.error(), b.log(), b.awaitingCallbackUntil());
    }

    private static String lower(String code) {
        return code == null ? null : code.toLowerCase(Locale.ROOT);
    }
}
