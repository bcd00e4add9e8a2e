package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The client commands: each is one call to the running service's REST API. */
public final class ClientCommands {

    private ClientCommands() {
    }

    static PrintWriter out(CommandSpec spec) {
        return spec.commandLine().getOut();
    }

    static String pretty(JsonNode node) {
        try {
            return ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static PresetRef preset(CommandSpec spec, String text) {
        try {
            return PresetRef.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static String path(PresetRef ref) {
        return "/api/v1/presets/" + ref.template() + "/" + ref.preset();
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }

    /** {@code status}: every preset's pool and failure state. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show every preset: desired, eligible, starting, failures, backoff, status.")
    public static final class Status implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;

        @Override
        public Integer call() {
            JsonNode status = client.client().get("/api/v1/status");
            if (output.json()) {
                out(spec).println(pretty(status));
                return 0;
            }
            Instant at = Instant.parse(status.get("at").asText());
            out(spec).println(render(status, at));
            return 0;
        }

        static String render(JsonNode status, Instant at) {
            List<List<String>> rows = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (JsonNode p : status.get("presets")) {
                // R13: an autoscaled preset says why its desired count is what it is, on a line of its own
                JsonNode autoscale = p.get("autoscale");
                notes.add(autoscale == null || autoscale.isNull() ? null : "autoscale: " + Autoscaling.explain(autoscale));
                rows.add(List.of(p.get("preset").asText() + " (" + p.get("version").asText() + ")",
                        p.get("active").asBoolean() ? p.get("status").asText() : "inactive",
                        p.get("desired").asText(), p.get("eligible").asText() + suffix(p.path("claiming").asInt(), " claiming"),
                        // R10/R11/R12: shown only when there are any, so tables of presets without checks are unchanged
                        p.get("starting").asText() + suffix(p.path("provisioned").asInt(), " provisioned"),
                        p.get("failed").asText() + suffix(p.path("unhealthy").asInt(), " unhealthy"),
                        p.get("consecutiveFailures").asText(), backoff(p, at), blocked(p)));
            }
            String header = "reconciliation " + (status.get("paused").asBoolean() ? "PAUSED" : "running")
                    + " · queued creates " + status.get("queuedCreates").asText() + " · at " + at + "\n";
            return header + Tables.render(
                    List.of("PRESET", "STATUS", "DESIRED", "ELIGIBLE", "STARTING", "FAILED", "FAILURES", "BACKOFF", "BLOCKED"), rows,
                    notes);
        }

        /** {@code " (n what)"}, or nothing when n is 0. */
        static String suffix(int n, String what) {
            return n == 0 ? "" : " (" + n + what + ")";
        }

        static String backoff(JsonNode p, Instant at) {
            JsonNode until = p.get("backoffUntil");
            if (until == null || until.isNull()) {
                return "-";
            }
            Duration left = Duration.between(at, Instant.parse(until.asText()));
            return left.isNegative() ? "-" : io.warmpool.domain.Durations.format(Duration.ofSeconds((left.toMillis() + 999) / 1000));
        }

        static String blocked(JsonNode p) {
            JsonNode b = p.get("blocked");
            return b == null || b.isNull() ? "-" : b.get("reason").asText() + " " + b.get("allowed").asText() + "/" + b.get("needed").asText();
        }
    }

    /** {@code plan}: the dry run. */
    @Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what the next pass would do and why, without doing it.")
    public static final class Plan implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;

        @Override
        public Integer call() {
            JsonNode plan = client.client().get("/api/v1/plan");
            if (output.json()) {
                out(spec).println(pretty(plan));
                return 0;
            }
            StringBuilder sb = new StringBuilder();
            if (plan.get("paused").asBoolean()) {
                sb.append("reconciliation is PAUSED: the next pass does nothing until `warmpool resume`\n");
            }
            boolean any = false;
            for (JsonNode p : plan.get("presets")) {
                JsonNode autoscale = p.get("autoscale");
                boolean autoscaled = autoscale != null && !autoscale.isNull();
                if (p.get("actions").isEmpty() && !autoscaled) {
                    continue;
                }
                any |= !p.get("actions").isEmpty();
                sb.append(p.get("preset").asText()).append('\n');
                if (autoscaled) {
                    // R13: why desired is what it is, before what the pass does about it
                    sb.append("  desired ").append(autoscale.get("desired").asText()).append(" (autoscale: ")
                            .append(Autoscaling.explain(autoscale)).append(")\n");
                }
                for (JsonNode a : p.get("actions")) {
                    sb.append("  ").append(describe(a)).append('\n');
                }
            }
            if (!any) {
                sb.append("nothing to do: every pool is at its desired size\n");
            }
            out(spec).print(sb);
            out(spec).flush();
            return 0;
        }

        static String describe(JsonNode a) {
            return switch (a.get("type").asText()) {
                case "create" -> "create " + a.get("count").asText();
                case "delete" -> "delete " + a.get("workspace").asText() + " (" + a.get("reason").asText() + ")";
                case "cancel_queued" -> "cancel " + a.get("count").asText() + " queued create(s) (INACTIVE)";
                case "blocked" -> "blocked by " + a.get("reason").asText() + ": " + a.get("allowed").asText() + " of "
                        + a.get("needed").asText() + " created" + (a.hasNonNull("until") ? " until " + a.get("until").asText() : "");
                default -> a.toString();
            };
        }
    }

    /**
     * How long a claim's answer may take beyond its wait: a claim handoff (R12) may take two claim timeouts (default
     * 1m each) when the first prebuild's handoff fails.
     */
    static final java.time.Duration HANDOFF_ALLOWANCE = java.time.Duration.ofMinutes(5);

    /** {@code claim PRESET}. */
    @Command(name = "claim", mixinStandardHelpOptions = true, description = "Take a ready workspace of a preset.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:claimed", "1:failure (e.g. the handoff failed on two prebuilds: HTTP 502)",
                    "2:bad usage or invalid input", "3:nothing available (also when --wait ran out)",
                    "4:the service cannot be reached"})
    public static final class Claim implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;
        @Parameters(index = "0", paramLabel = "PRESET", description = "template/preset")
        String preset;
        @Option(names = "--owner", paramLabel = "USER", description = "who gets the workspace (default: $USER)")
        String owner;
        @Option(names = "--name", paramLabel = "NAME", description = "the workspace's new name (default: generated)")
        String name;
        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "makes the claim safe to retry: the "
                + "same KEY within 24 h answers the same workspace, never a second one (1-255 visible ASCII "
                + "characters, e.g. a UUID; sent as the Idempotency-Key header)")
        String idempotencyKey;
        @Option(names = "--wait", paramLabel = "DURATION", description = "when none is ready, wait up to this long "
                + "(at most 10m, e.g. 2m) for the next one, first come first served")
        String wait;
        @Option(names = "--param", paramLabel = "KEY=VALUE", description = "a parameter of this claim, passed to the "
                + "provisioner's claim transition (repeatable; at most 64; KEY a letter then letters, digits, _ . -)")
        java.util.Map<String, String> params;

        @Override
        public Integer call() {
            PresetRef ref = preset(spec, preset);
            String who = owner != null ? owner : System.getenv().getOrDefault("USER", "user");
            // Checked here too, so a bad name is bad usage (exit 2) even when the service cannot be reached.
            try {
                new ClaimCommand(ref, who, java.util.Optional.ofNullable(name));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), (owner == null ? "--owner (default: $USER): " : "")
                        + e.getMessage());
            }
            if (idempotencyKey != null) {
                try {
                    ClaimCommand.requireValidIdempotencyKey(idempotencyKey);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--idempotency-key: " + e.getMessage());
                }
            }
            java.util.Map<String, String> parameters;
            try {
                parameters = ClaimCommand.requireValidParameters(params);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--param: " + e.getMessage());
            }
            java.time.Duration waitFor = null;
            if (wait != null) {
                try {
                    waitFor = io.warmpool.domain.Durations.parse(wait);
                    new ClaimCommand(ref, who, java.util.Optional.empty(), java.util.Optional.ofNullable(idempotencyKey))
                            .withMaxWait(java.util.Optional.of(waitFor));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--wait: " + e.getMessage());
                }
            }
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("owner", who);
            if (name != null) {
                body.put("name", name);
            }
            if (!parameters.isEmpty()) {
                ObjectNode p = body.putObject("parameters");
                parameters.forEach(p::put);
            }
            JsonNode ws;
            if (waitFor == null) {
                ws = client.client().postJson(path(ref) + "/claims", body,
                        idempotencyKey == null ? java.util.Map.of() : java.util.Map.of("Idempotency-Key", idempotencyKey),
                        HANDOFF_ALLOWANCE);
            } else {
                body.put("wait", wait.trim());
                // The answer comes when the claim is served or its wait runs out: allow for both, and a minute more.
                ws = client.client().postJson(path(ref) + "/claims", body, waitFor.plus(HANDOFF_ALLOWANCE));
            }
            if (output.json()) {
                out(spec).println(pretty(ws));
            } else {
                out(spec).println("claimed " + ws.get("name").asText() + " (" + ws.get("id").asText() + ") for " + ws.get("owner").asText());
                ws.path("outputs").fields().forEachRemaining(e -> out(spec).println("  " + e.getKey() + ": " + e.getValue().asText()));
            }
            return 0;
        }
    }

    /** {@code release WORKSPACE}. */
    @Command(name = "release", mixinStandardHelpOptions = true, description = "Delete a claimed workspace.")
    public static final class Release implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;
        @Parameters(index = "0", paramLabel = "WORKSPACE", description = "the workspace id")
        String workspace;

        @Override
        public Integer call() {
            WorkspaceId id;
            try {
                id = WorkspaceId.parse(workspace);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            JsonNode answer = client.client().delete("/api/v1/workspaces/" + id.text());
            if (output.json()) {
                // The service's answer ({"released": ID}); the id whatever it said, so the document always has it.
                ObjectNode r = answer != null && answer.isObject() ? ((ObjectNode) answer).deepCopy()
                        : ApiClient.JSON.createObjectNode();
                if (!r.hasNonNull("released")) {
                    r.put("released", id.text());
                }
                out(spec).println(pretty(r));
                return 0;
            }
            out(spec).println("releasing " + id + ": its delete is queued");
            return 0;
        }
    }

    /** {@code dashboard}: the sign-in link of the web dashboard. */
    @Command(name = "dashboard", mixinStandardHelpOptions = true,
            description = "Ask the running service for a one-time sign-in link of the web dashboard and print it; open it in a "
                    + "browser within 10 minutes (it signs one browser in, for 12 hours).")
    public static final class Dashboard implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;

        @Override
        public Integer call() {
            ClientOptions.SignInLink link = client.dashboardLink();
            if (output.json()) {
                ObjectNode r = ApiClient.JSON.createObjectNode().put("url", link.url());
                if (link.expiresAt() == null) {
                    r.putNull("expiresAt");
                } else {
                    r.put("expiresAt", link.expiresAt());
                }
                out(spec).println(pretty(r));
                return 0;
            }
            out(spec).println(link.url());
            return 0;
        }
    }

    /** Pause and resume: one POST that flips the cluster-wide flag. */
    abstract static class ReconciliationSwitch implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ClientOptions client;
        @Mixin OutputOption output;

        /** {@code pause} or {@code resume}. */
        abstract String action();

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/api/v1/reconciliation/" + action(), "application/json", "{}");
            if (output.json()) {
                out(spec).println(pretty(answer)); // {"paused": true|false}
                return 0;
            }
            out(spec).println("reconciliation " + action() + "d");
            return 0;
        }
    }

    /** {@code pause}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause reconciliation on every replica (workers finish queued jobs).")
    public static final class Pause extends ReconciliationSwitch {
        @Override
        String action() {
            return "pause";
        }
    }

    /** {@code resume}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume reconciliation on every replica.")
    public static final class Resume extends ReconciliationSwitch {
        @Override
        String action() {
            return "resume";
        }
    }

    /** {@code presets apply|resume|invalidate}. */
    @Command(name = "presets", mixinStandardHelpOptions = true, description = "Manage presets.",
            subcommands = {Presets.Apply.class, Presets.ResumePreset.class, Presets.Invalidate.class})
    public static final class Presets implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "say what to do: apply FILE, resume PRESET or invalidate PRESET");
        }

        /** {@code presets apply FILE}. */
        @Command(name = "apply", mixinStandardHelpOptions = true, description = "Apply a presets file: all or nothing; every error is reported with its line.")
        public static final class Apply implements Callable<Integer> {
            @Spec CommandSpec spec;
            @Mixin ClientOptions client;
            @Mixin OutputOption output;
            @Parameters(index = "0", paramLabel = "FILE", description = "presets file (YAML)")
            Path file;
            @Option(names = "--dry-run", description = "Validate the file and print what applying it would change "
                    + "(+ add, ~ change, - remove, ! deprecate), without applying anything.")
            boolean dryRun;

            @Override
            public Integer call() {
                String yaml;
                try {
                    // Bounded and checked before anything is sent: /dev/zero or a binary file is refused at once.
                    yaml = TextInput.readFile(file, TextInput.MAX_PRESETS_BYTES);
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + TextInput.reason(e));
                } catch (TextInput.RefusedException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
                JsonNode r;
                try {
                    r = client.client().post("/api/v1/presets?source=" + URLEncoder.encode(file.toString(), StandardCharsets.UTF_8)
                            + (dryRun ? "&dryRun=true" : ""), "application/yaml", yaml);
                } catch (ApiClient.ApiException e) {
                    if (e.body() != null && e.body().has("errors") && !output.json()) {
                        spec.commandLine().getErr().println(e.getMessage() + ":");
                        for (JsonNode err : e.body().get("errors")) {
                            String source = err.path("source").asText("");
                            spec.commandLine().getErr().println("  " + (source.isEmpty() ? "" : source + ": ")
                                    + err.path("field").asText() + ": " + err.path("message").asText());
                        }
                        return 2;
                    }
                    throw e;
                }
                if (output.json()) {
                    out(spec).println(pretty(r)); // the service's answer as it is (with dryRun: the changes)
                    return 0;
                }
                if (dryRun) {
                    out(spec).print(diff(file, r));
                    return 0;
                }
                out(spec).println("applied " + file + ": " + r.get("templates").asText() + " template(s), "
                        + r.get("versionsCreated").asText() + " new version(s), " + r.get("presetsCreated").asText()
                        + " new preset(s), " + r.get("presetsUpdated").asText() + " updated");
                return 0;
            }
        }

        /** The dry run's answer for people: the counters, then one line a change. */
        static String diff(Path file, JsonNode r) {
            StringBuilder sb = new StringBuilder("dry run of " + file + " (nothing applied): " + r.get("templates").asText()
                    + " template(s), " + r.get("versionsCreated").asText() + " new version(s), "
                    + r.get("presetsCreated").asText() + " new preset(s), " + r.get("presetsUpdated").asText() + " updated\n");
            if (r.get("changes").isEmpty()) {
                return sb.append("no changes: the store already holds this file\n").toString();
            }
            for (JsonNode c : r.get("changes")) {
                String action = c.get("action").asText();
                String mark = switch (action) {
                    case "add" -> "+";
                    case "remove" -> "-";
                    case "deprecate" -> "!";
                    default -> "~";
                };
                sb.append("  ").append(mark).append(' ').append(c.get("target").asText());
                if (c.hasNonNull("field")) {
                    sb.append(": ").append(c.get("field").asText()).append(' ')
                            .append(c.hasNonNull("from") ? c.get("from").asText() : "(none)").append(" → ")
                            .append(c.hasNonNull("to") ? c.get("to").asText() : "(none)");
                } else if (!action.equals("add") && !action.equals("remove")) {
                    sb.append(" (").append(action).append(')');
                }
                sb.append('\n');
            }
            return sb.toString();
        }

        /** A one-call action on one preset: {@code POST /api/v1/presets/{template}/{preset}/ACTION}. */
        abstract static class PresetAction implements Callable<Integer> {
            @Spec CommandSpec spec;
            @Mixin ClientOptions client;
            @Mixin OutputOption output;
            @Parameters(index = "0", paramLabel = "PRESET", description = "template/preset")
            String preset;

            /** The last path segment, e.g. {@code resume}. */
            abstract String action();

            /** What to print from the service's answer. */
            abstract String describe(JsonNode answer);

            @Override
            public Integer call() {
                JsonNode r = client.client().post(path(preset(spec, preset)) + "/" + action(), "application/json", "{}");
                out(spec).println(output.json() ? pretty(r) : describe(r)); // JSON: the service's answer as it is
                return 0;
            }
        }

        /** {@code presets resume PRESET}. */
        @Command(name = "resume", mixinStandardHelpOptions = true, description = "Lift a preset's hard limit or validation failure; its next create is a single probe.")
        public static final class ResumePreset extends PresetAction {
            @Override
            String action() {
                return "resume";
            }

            @Override
            String describe(JsonNode r) {
                return "resumed " + preset + ": " + text(r, "from") + " -> " + text(r, "to") + " (" + text(r, "consecutiveFailures")
                        + " consecutive failures kept: the next create is a single probe)";
            }
        }

        /** {@code presets invalidate PRESET}. */
        @Command(name = "invalidate", mixinStandardHelpOptions = true, description = "Replace every current prebuild of a preset.")
        public static final class Invalidate extends PresetAction {
            @Override
            String action() {
                return "invalidate";
            }

            @Override
            String describe(JsonNode r) {
                return "invalidated " + preset + " at " + text(r, "invalidatedAt") + ": its prebuilds will be replaced";
            }
        }
    }
}
