package io.warmpool.bootstrap.wiring;

import io.warmpool.adapters.http.TextInput;
import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.domain.backoff.BackoffPolicy;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.Jitter;
import io.warmpool.domain.plan.PlannerSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The service's settings, read from a {@link Config} and validated all at once at start: every problem is
 * reported, each naming its setting.
 */
public record Settings(Path stateDir, Optional<String> dbUrl, Optional<String> dbUser, Optional<String> dbPassword,
                       InetSocketAddress httpAddr, Optional<Path> presets, String provisioner, Duration reconcileInterval,
                       BackoffSettings backoff, int failureHardLimit, ReconcileSettings reconcile, WorkerSettings worker,
                       int workers, long seed, Optional<String> token, Config config, HttpServerSettings http) {

    /** How long an idle worker waits before asking the queue again (a pass that enqueued jobs wakes it sooner). */
    public static final Duration WORKER_IDLE_POLL = Duration.ofSeconds(1);

    /**
     * How long stopping waits for the workers' running jobs, and for the pass in progress (a job still running after
     * that is released by the reaper of another start).
     */
    public static final Duration STOP_BOUND = Duration.ofSeconds(30);

    /** @throws ConfigException with every problem found */
    public static Settings from(Config c) {
        List<String> problems = new ArrayList<>();
        Path stateDir = get(problems, () -> c.path(Setting.STATE_DIR), Path.of(".warmpool"));
        InetSocketAddress addr = get(problems, () -> address(c), new InetSocketAddress("127.0.0.1", 8080));
        String provisioner = get(problems, () -> c.choice(Setting.PROVISIONER, "simulated", "command", "http"), "simulated");
        Duration interval = get(problems, () -> c.positiveDuration(Setting.RECONCILE_INTERVAL), Duration.ofSeconds(15));
        BackoffSettings backoff = get(problems, () -> backoff(c), BackoffSettings.defaults());
        int hardLimit = get(problems, () -> c.integer(Setting.FAILURE_HARD_LIMIT, 0, 1_000_000), 3);
        Duration retention = get(problems, () -> c.duration(Setting.FAILED_RETENTION), Duration.ofMinutes(15));
        int inFlight = get(problems, () -> c.integer(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET, 1, 1000), 5);
        int pending = get(problems, () -> c.integer(Setting.MAX_PENDING_JOBS, 1, 1_000_000), 200);
        int workers = get(problems, () -> c.integer(Setting.WORKERS, 1, 256), 4);
        Duration heartbeat = get(problems, () -> c.positiveDuration(Setting.JOB_HEARTBEAT_TIMEOUT), Duration.ofSeconds(60));
        long seed = get(problems, () -> c.text(Setting.SEED).map(s -> {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw c.problem(Setting.SEED, "must be a whole number, got '" + s + "'");
            }
        }).orElseGet(() -> new SecureRandom().nextLong()), 0L);
        Optional<Path> presets = get(problems, () -> c.text(Setting.PRESETS).map(t -> c.path(Setting.PRESETS)), Optional.empty());
        HttpServerSettings http = get(problems, () -> HttpServerSettings.from(c), null);
        get(problems, () -> c.positiveDuration(Setting.EMBEDDED_DB_RECOVERY_TIMEOUT), Duration.ofSeconds(60));
        get(problems, () -> eventRetention(c), EventRetentionSettings.DEFAULTS);
        // Checked now, before the database starts: a presets file too large or not text is refused at once.
        presets.ifPresent(p -> get(problems, () -> c.textFile(Setting.PRESETS, TextInput.MAX_PRESETS_BYTES), ""));
        Optional<String> dbPassword = get(problems, () -> c.secret(Setting.DB_PASSWORD), Optional.empty());
        Optional<String> token = get(problems, () -> c.secret(Setting.TOKEN), Optional.empty());
        if (heartbeat.toMillis() < 3) {
            problems.add(c.problem(Setting.JOB_HEARTBEAT_TIMEOUT, "must be at least 3ms").getMessage());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Settings(stateDir, c.text(Setting.DB_URL), c.text(Setting.DB_USER), dbPassword,
                addr, presets, provisioner, interval, backoff, hardLimit,
                new ReconcileSettings(new PlannerSettings(retention, inFlight), pending),
                new WorkerSettings(heartbeat, interval), workers, seed, token, c, http);
    }

    /** See {@link #WORKER_IDLE_POLL}. */
    public Duration workerIdlePoll() {
        return WORKER_IDLE_POLL;
    }

    /** See {@link #STOP_BOUND}. */
    public Duration stopBound() {
        return STOP_BOUND;
    }

    /**
     * How long the embedded database's restarts may fail before the service reports itself unhealthy (validated by
     * {@link #from}).
     */
    public Duration embeddedDbRecoveryTimeout() {
        return config.positiveDuration(Setting.EMBEDDED_DB_RECOVERY_TIMEOUT);
    }

    /** How the event log is pruned: {@code events-retention} and the fixed batch bounds (validated by {@link #from}). */
    public EventRetentionSettings eventRetention() {
        return eventRetention(config);
    }

    private static EventRetentionSettings eventRetention(Config c) {
        Duration retention = c.duration(Setting.EVENTS_RETENTION);
        if (!retention.isZero() && retention.compareTo(EventRetentionSettings.MIN_RETENTION) < 0) {
            throw c.problem(Setting.EVENTS_RETENTION, "must be 0 (keep events forever) or at least 1h, got "
                    + c.string(Setting.EVENTS_RETENTION));
        }
        return EventRetentionSettings.keeping(retention);
    }

    /** Never prints the database password or the API token. */
    @Override
    public String toString() {
        return "Settings[stateDir=" + stateDir + ", db=" + (dbUrl.isPresent() ? "external" : "embedded")
                + ", httpAddr=" + httpAddr + ", provisioner=" + provisioner + ", reconcileInterval=" + reconcileInterval
                + ", backoff=" + backoff + ", failureHardLimit=" + failureHardLimit + ", reconcile=" + reconcile
                + ", worker=" + worker + ", workers=" + workers + ", dbPassword=" + (dbPassword.isPresent() ? "***" : "none")
                + ", token=" + (token.isPresent() ? "***" : "generated") + "]";
    }

    private static <T> T get(List<String> problems, Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return fallback;
        }
    }

    private static InetSocketAddress address(Config c) {
        String text = c.string(Setting.HTTP_ADDR);
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw c.problem(Setting.HTTP_ADDR, "must be host:port such as 127.0.0.1:8080, got '" + text + "'");
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(host, port);
        } catch (NumberFormatException e) {
            throw c.problem(Setting.HTTP_ADDR, "port must be 0 to 65535, got '" + text.substring(colon + 1) + "'");
        }
    }

    private static BackoffSettings backoff(Config c) {
        List<String> problems = new ArrayList<>();
        String policy = get(problems, () -> c.choice(Setting.BACKOFF_POLICY, "linear", "exponential"), "linear");
        String jitter = get(problems, () -> c.choice(Setting.BACKOFF_JITTER, "none", "full", "equal"), "none");
        Duration interval = get(problems, () -> c.positiveDuration(Setting.BACKOFF_INTERVAL), Duration.ofSeconds(15));
        Duration max = get(problems, () -> c.positiveDuration(Setting.BACKOFF_MAX), Duration.ofMinutes(10));
        java.math.BigDecimal multiplier = get(problems, () -> c.decimal(Setting.BACKOFF_MULTIPLIER), java.math.BigDecimal.valueOf(2));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        try {
            BackoffPolicy p = policy.equals("linear") ? new BackoffPolicy.Linear(interval)
                    : new BackoffPolicy.Exponential(interval, max, multiplier);
            return new BackoffSettings(p, Jitter.valueOf(jitter.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            // The domain names the setting (backoff-interval, backoff-max, backoff-multiplier) in its message.
            throw new ConfigException(List.of(e.getMessage()));
        }
    }
}
