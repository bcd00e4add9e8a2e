package io.warmpool.bootstrap.config;

import io.warmpool.adapters.provisioner.HttpProvisionerConfig.RetrySettings;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.Timeouts;
import io.warmpool.application.service.ClaimWaitSettings;
import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.domain.Durations;
import io.warmpool.domain.backoff.BackoffPolicy;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.plan.PlannerSettings;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration setting (SPEC §5). A setting {@code some-name} is the flag {@code --some-name}, the
 * environment variable {@code WARMPOOL_SOME_NAME} and the key {@code some-name} of {@code warmpool.yaml};
 * flags win over the environment, which wins over the file, which wins over the default.
 *
 * <p>A default that a rule's settings also carry ({@link PlannerSettings#DEFAULTS}, {@link ReconcileSettings#DEFAULTS},
 * {@link WorkerSettings#DEFAULTS}, {@link EventRetentionSettings#DEFAULTS}, {@link BackoffSettings#defaults()},
 * {@link FailurePolicy#DEFAULT_HARD_LIMIT}) is written there once and only rendered here, so {@code --help}, the
 * parsed {@link io.warmpool.bootstrap.wiring.Settings} and the rules cannot disagree.
 */
public enum Setting {
    STATE_DIR("state-dir", "./.warmpool", "directory for the embedded database's data, the generated API token and the terraform provisioner's working files", false),
    EMBEDDED_DB_RECOVERY_TIMEOUT("embedded-db-recovery-timeout", "60s", "embedded database: how long restarts may fail before /healthz reports the service unhealthy", false),
    DB_URL("db-url", null, "JDBC URL of an external PostgreSQL >= 14 (default: an embedded PostgreSQL under the state dir)", false),
    DB_USER("db-user", null, "database user, when not in the URL", false),
    DB_PASSWORD("db-password", null, "database password, when not in the URL (never logged; prefer --db-password-file)", true),
    DB_PASSWORD_FILE("db-password-file", null, "file holding the database password (read at start, trailing newline ignored)", false),
    HTTP_ADDR("http-addr", "127.0.0.1:8080", "host:port the REST API listens on (loopback unless told otherwise)", false),
    ALLOWED_HOSTS("allowed-hosts", null, "further names (name or name:port, comma-separated) a request's Host header may give; on loopback the listening address is always allowed, elsewhere only these are checked when given", false),
    HTTP_IDLE_TIMEOUT("http-idle-timeout", "30s", "an HTTP connection on which nothing moves this long is closed", false),
    HTTP_HEADER_TIMEOUT("http-header-timeout", "10s", "a request's headers must arrive within this, or its connection is closed", false),
    HTTP_BODY_TIMEOUT("http-body-timeout", "30s", "a request's body must arrive within this, or 408 and the connection is closed", false),
    HTTP_MAX_CONNECTIONS("http-max-connections", "4096", "open HTTP connections at once; more wait to be accepted (keep below ulimit -n)", false),
    HTTP_MAX_UNAUTHENTICATED("http-max-unauthenticated", "64", "unauthenticated requests at once that may wait (at most 1 s) for the rest of their body before the 401; beyond, answered at once with Connection: close", false),
    TLS_CERT("tls-cert", null, "PEM certificate chain (leaf first) to serve HTTPS with, TLS 1.2+ only; with --tls-key. Reloaded when the file changes or on SIGHUP", false),
    TLS_KEY("tls-key", null, "PEM private key (unencrypted PKCS#8, RSA or EC) of --tls-cert; keep it unreadable by other users", false),
    PRESETS("presets", null, "presets file applied at start (default: examples/presets.yaml when the store has no presets yet)", false),
    PROVISIONER("provisioner", "simulated", "simulated | command | http | terraform", false),
    RECONCILE_INTERVAL("reconcile-interval", Durations.format(ReconcileSettings.DEFAULT_INTERVAL), "time between reconciliation passes", false),
    BACKOFF_POLICY("backoff-policy", BackoffSettings.defaults().policy() instanceof BackoffPolicy.Linear ? "linear" : "exponential", "linear | exponential", false),
    BACKOFF_INTERVAL("backoff-interval", Durations.format(BackoffSettings.defaults().policy().delay(1)), "backoff after the first failure (linear: × failures)", false),
    BACKOFF_MAX("backoff-max", "10m", "cap of the exponential backoff", false),
    BACKOFF_MULTIPLIER("backoff-multiplier", "2", "growth per failure of the exponential backoff (a decimal >= 1)", false),
    BACKOFF_JITTER("backoff-jitter", BackoffSettings.defaults().jitter().name().toLowerCase(Locale.ROOT), "none | full | equal", false),
    FAILURE_HARD_LIMIT("failure-hard-limit", Integer.toString(FailurePolicy.DEFAULT_HARD_LIMIT), "consecutive failures that stop a preset until resumed (0 disables)", false),
    FAILED_RETENTION("failed-retention", Durations.format(PlannerSettings.DEFAULTS.failedRetention()), "how long a failed prebuild is kept before it is deleted", false),
    EVENTS_RETENTION("events-retention", Durations.format(EventRetentionSettings.DEFAULTS.retention()), "how long the event log keeps events (0 keeps them forever; else at least 1h)", false),
    MAX_IN_FLIGHT_CREATES_PER_PRESET("max-in-flight-creates-per-preset", Integer.toString(PlannerSettings.DEFAULTS.maxInFlightCreatesPerPreset()), "creates of one preset in flight at once", false),
    MAX_PENDING_JOBS("max-pending-jobs", Integer.toString(ReconcileSettings.DEFAULTS.maxPendingJobs()), "queued creates of all presets at once", false),
    MAX_CLAIM_WAITERS_PER_PRESET("max-claim-waiters-per-preset", Integer.toString(ClaimWaitSettings.DEFAULTS.maxWaitersPerPreset()), "claims that may wait for one preset at once, across replicas; one more is answered 429", false),
    WORKERS("workers", "4", "provisioner workers of this replica", false),
    JOB_HEARTBEAT_TIMEOUT("job-heartbeat-timeout", Durations.format(WorkerSettings.DEFAULTS.heartbeatTimeout()), "a job whose worker is silent this long is failed as worker_lost", false),
    READINESS_INTERVAL("readiness-interval", Durations.format(io.warmpool.application.service.CheckSettings.DEFAULT_READINESS_INTERVAL), "how often a provisioned prebuild of a preset with readiness: {check: provisioner} is checked until ready (R10)", false),
    PUBLIC_URL("public-url", null, "the service's URL as workspaces and provisioners reach it: agents call <public-url>/api/v1/workspaces/<id>/ready (R10), and an http provisioner's requests carry callback_url <public-url>/api/v1/builds/<id>/complete for receivers that answer 202 Accepted (default: http://<http-addr> as it listens; set it when listening on 0.0.0.0 or behind a proxy)", false),
    SEED("seed", null, "seed of the simulated provisioner and the backoff jitter (default: random)", false),
    SIMULATED_CONFIG("simulated-config", "examples/simulated-provisioner.yaml", "simulated provisioner: latencies and failure rules (used when the file exists)", false),
    COMMAND_CREATE("command-create", null, "command provisioner: argv of the create command, as a YAML/JSON list", false),
    COMMAND_DELETE("command-delete", null, "command provisioner: argv of the delete command, as a YAML/JSON list", false),
    COMMAND_CHECK("command-check", null, "command provisioner: argv of the check command (answers {\"status\": \"ready\"|\"starting\"|\"unhealthy\"|\"gone\"|\"failed\"}), as a YAML/JSON list; asked for readiness (R10) and liveness (R11) of presets that configure them", false),
    COMMAND_CLAIM("command-claim", null, "command provisioner: argv of the claim command (hands a prebuild to its new owner: new owner and name, the claim's parameters, the create's outputs; its outputs are merged over the create's), as a YAML/JSON list; without it a claim is not handed over (R12), bounded by --claim-timeout", false),
    COMMAND_MAX_CONCURRENT("command-max-concurrent", null, "command provisioner: commands running at once, further ones wait in arrival order (default: --workers)", false),
    COMMAND_TIMEOUT("command-timeout", "10m", "command provisioner: time limit of one command", false),
    TERRAFORM_MODULE("terraform-module", null, "terraform provisioner: directory of the default Terraform root module, for template versions naming none of their own (terraform: {module: DIR} in the presets file)", false),
    TERRAFORM_BINARY("terraform-binary", "terraform", "terraform provisioner: the Terraform CLI, on PATH or a path (OpenTofu: tofu)", false),
    TERRAFORM_STATE_SCHEMA("terraform-state-schema", "warmpool_terraform", "terraform provisioner: schema of warmpool's database holding the workspaces' states (Terraform's pg backend, one Terraform workspace per workspace)", false),
    TERRAFORM_TIMEOUT("terraform-timeout", "30m", "terraform provisioner: time limit of one transition (init, apply, output…); then its process tree is killed", false),
    HTTP_PROVISIONER_URL("http-provisioner-url", null, "http provisioner: URL that receives the signed requests", false),
    HTTP_PROVISIONER_TRANSITIONS("http-provisioner-transitions", "create,delete", "http provisioner: the transitions its receiver handles, comma-separated: create and delete always, plus check (readiness R10, liveness R11) and claim (the claim handoff R12) when it handles them; an unlisted claim is a no-op handoff, an unlisted check cannot be made", false),
    HTTP_PROVISIONER_MAX_ATTEMPTS("http-provisioner-max-attempts", Integer.toString(RetrySettings.DEFAULT.maxAttempts()), "http provisioner: attempts per request, the first included, when the answer is transient (5xx, 408, 429, timeouts); 1 to 10", false),
    CREATE_TIMEOUT("create-timeout", Durations.format(Timeouts.DEFAULT.create()), "http provisioner: time limit of a create, every attempt and retry included; after a 202 Accepted, the deadline of its callback, counted from when the job was taken", false),
    DELETE_TIMEOUT("delete-timeout", Durations.format(Timeouts.DEFAULT.delete()), "http provisioner: time limit of a delete, every attempt and retry included; after a 202 Accepted, the deadline of its callback, counted from when the job was taken", false),
    CHECK_TIMEOUT("check-timeout", Durations.format(Timeouts.DEFAULT.check()), "http provisioner: time limit of a readiness or liveness check, every attempt and retry included (R10 readiness, R11 liveness)", false),
    CLAIM_TIMEOUT("claim-timeout", Durations.format(Timeouts.DEFAULT.claim()), "time limit of a claim's handoff through the provisioner's claim transition, for every provisioner (the http provisioner: every attempt and retry included); a failed or late handoff deletes the prebuild (CLAIM_FAILED) and tries the next once; a reservation older than this is reaped by any replica (R12)", false),
    HTTP_PROVISIONER_SECRET("http-provisioner-secret", null, "http provisioner: HMAC-SHA256 key (never logged; prefer --http-provisioner-secret-file)", true),
    HTTP_PROVISIONER_SECRET_FILE("http-provisioner-secret-file", null, "http provisioner: file holding the HMAC-SHA256 key (trailing newline ignored)", false),
    LOG_FORMAT("log-format", "text", "text (one line per record: instant, level, component, message, then the context as key=value) | json (one JSON object per line); see README \"Logs\"", false),
    LOG_LEVEL("log-level", "info", "error | warn | info | debug | trace: the level of warmpool's own log records (libraries log warnings and errors only)", false),
    SERVER("server", "http://127.0.0.1:8080", "client commands: URL of the running service", false),
    CA_CERT("ca-cert", null, "client commands: PEM file of the CA certificate(s) to trust for an https:// server, instead of the system's trust store", false),
    TOKEN("token", null, "API bearer token (default: generated at first start, stored in the state dir; prefer --token-file)", true),
    TOKEN_FILE("token-file", null, "file holding the API bearer token (trailing newline ignored)", false);

    private final String key;
    private final String defaultValue;
    private final String description;
    private final boolean secret;

    Setting(String key, String defaultValue, String description, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
        this.secret = secret;
    }

    /** The name in the file and after {@code --} on the command line. */
    public String key() {
        return key;
    }

    public String flag() {
        return "--" + key;
    }

    /** {@code WARMPOOL_SOME_NAME}. */
    public String envName() {
        return "WARMPOOL_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** Secrets are never printed or logged. */
    public boolean secret() {
        return secret;
    }

    /** The setting naming a file that holds this secret ({@code --token} → {@code --token-file}), if it has one. */
    public Optional<Setting> secretFile() {
        return switch (this) {
            case TOKEN -> Optional.of(TOKEN_FILE);
            case DB_PASSWORD -> Optional.of(DB_PASSWORD_FILE);
            case HTTP_PROVISIONER_SECRET -> Optional.of(HTTP_PROVISIONER_SECRET_FILE);
            default -> Optional.empty();
        };
    }

    public static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }
}
