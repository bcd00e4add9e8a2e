package io.warmpool.bootstrap.wiring;

import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.service.ClaimWaitSettings;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The service's settings, read from a {@link Config} and validated all at once at start: every problem is
 * reported, each naming its setting. Every value is parsed here, once; the defaults come from {@link Setting}
 * (which renders the rules' own typed defaults), never from this class.
 */
public record Settings(Path stateDir, Optional<String> dbUrl, Optional<String> dbUser, Optional<String> dbPassword,
                       Duration embeddedDbRecoveryTimeout,
                       InetSocketAddress httpAddr, Optional<Path> presets, ProvisionerKind provisioner, Duration reconcileInterval,
                       BackoffSettings backoff, int failureHardLimit, ReconcileSettings reconcile, WorkerSettings worker,
                       EventRetentionSettings eventRetention, int workers, long seed, Optional<String> token, Config config,
                       HttpServerSettings http, ClaimWaitSettings claimWaits, Duration readinessInterval,
                       Optional<String> publicUrl) {

    /** Which provisioner the service drives ({@code --provisioner}). */
    public enum ProvisionerKind {
        SIMULATED, COMMAND, HTTP, TERRAFORM;

        /** As written in the setting. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** How long an idle worker waits before asking the queue again (a pass that enqueued jobs wakes it sooner). */
    public static final Duration WORKER_IDLE_POLL = Duration.ofSeconds(1);

    /**
     * How long stopping waits for the workers' running jobs, and for the pass in progress (a job still running after
     * that is released by the reaper of another start).
     */
    public static final Duration STOP_BOUND = Duration.ofSeconds(30);

    /** @throws ConfigException with every problem found */
    public static Settings from(Config c) {
        // Each read either returns the value or adds its problems and returns null: with any problem, nothing is built.
        List<String> problems = new ArrayList<>();
        Path stateDir = get(problems, () -> c.path(Setting.STATE_DIR));
        InetSocketAddress addr = get(problems, () -> address(c));
        ProvisionerKind provisioner = get(problems, () -> ProvisionerKind.valueOf(c.choice(Setting.PROVISIONER,
                Arrays.stream(ProvisionerKind.values()).map(ProvisionerKind::key).toArray(String[]::new)).toUpperCase(Locale.ROOT)));
        Duration interval = get(problems, () -> c.positiveDuration(Setting.RECONCILE_INTERVAL));
        BackoffSettings backoff = get(problems, () -> backoff(c));
        Integer hardLimit = get(problems, () -> c.integer(Setting.FAILURE_HARD_LIMIT, 0, 1_000_000));
        Duration retention = get(problems, () -> c.duration(Setting.FAILED_RETENTION));
        Integer inFlight = get(problems, () -> c.integer(Setting.MAX_IN_FLIGHT_CREATES_PER_PRESET, 1, 1000));
        Integer pending = get(problems, () -> c.integer(Setting.MAX_PENDING_JOBS, 1, 1_000_000));
        Integer workers = get(problems, () -> c.integer(Setting.WORKERS, 1, 256));
        Integer waiters = get(problems, () -> c.integer(Setting.MAX_CLAIM_WAITERS_PER_PRESET, 1, 100_000));
        Duration heartbeat = get(problems, () -> c.positiveDuration(Setting.JOB_HEARTBEAT_TIMEOUT));
        Duration claimTimeout = get(problems, () -> c.positiveDuration(Setting.CLAIM_TIMEOUT));
        Duration readinessInterval = get(problems, () -> c.positiveDuration(Setting.READINESS_INTERVAL));
        Optional<String> publicUrl = get(problems, () -> publicUrl(c));
        Long seed = get(problems, () -> c.text(Setting.SEED).map(s -> {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw c.problem(Setting.SEED, "must be a whole number, got '" + s + "'");
            }
        }).orElseGet(() -> new SecureRandom().nextLong()));
        Optional<Path> presets = get(problems, () -> c.text(Setting.PRESETS).map(t -> c.path(Setting.PRESETS)));
        HttpServerSettings http = get(problems, () -> HttpServerSettings.from(c));
        Duration recovery = get(problems, () -> c.positiveDuration(Setting.EMBEDDED_DB_RECOVERY_TIMEOUT));
        EventRetentionSettings eventRetention = get(problems, () -> eventRetention(c));
        // Checked now, before the database starts: a presets file too large or not text is refused at once.
        if (presets != null) {
            presets.ifPresent(p -> get(problems, () -> c.textFile(Setting.PRESETS, TextInput.MAX_PRESETS_BYTES)));
        }
        Optional<String> dbPassword = get(problems, () -> c.secret(Setting.DB_PASSWORD));
        Optional<String> token = get(problems, () -> c.secret(Setting.TOKEN));
        if (heartbeat != null && heartbeat.toMillis() < 3) {
            problems.add(c.problem(Setting.JOB_HEARTBEAT_TIMEOUT, "must be at least 3ms").getMessage());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Settings(stateDir, c.text(Setting.DB_URL), c.text(Setting.DB_USER), dbPassword, recovery,
                addr, presets, provisioner, interval, backoff, hardLimit,
                new ReconcileSettings(new PlannerSettings(retention, inFlight), pending),
                new WorkerSettings(heartbeat, interval), eventRetention, workers, seed, token, c, http,
                new ClaimWaitSettings(waiters, ClaimWaitSettings.DEFAULTS.retryAfter(), claimTimeout), readinessInterval, publicUrl);
    }

    /** See {@link #WORKER_IDLE_POLL}. */
    public Duration workerIdlePoll() {
        return WORKER_IDLE_POLL;
    }

    /** See {@link #STOP_BOUND}. */
    public Duration stopBound() {
        return STOP_BOUND;
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

    /** The value, or null once its problems are added (never returned by {@link #from}: it throws first). */
    private static <T> T get(List<String> problems, Supplier<T> read) {
        try {
            return read.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
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
        String policy = get(problems, () -> c.choice(Setting.BACKOFF_POLICY, "linear", "exponential"));
        String jitter = get(problems, () -> c.choice(Setting.BACKOFF_JITTER, "none", "full", "equal"));
        Duration interval = get(problems, () -> c.positiveDuration(Setting.BACKOFF_INTERVAL));
        Duration max = get(problems, () -> c.positiveDuration(Setting.BACKOFF_MAX));
        java.math.BigDecimal multiplier = get(problems, () -> c.decimal(Setting.BACKOFF_MULTIPLIER));
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

    /**
     * {@code --public-url} when given: an {@code http://} or {@code https://} URL with a host and no query or
     * fragment. One rule for both of its uses: the agents' ready URL (R10) and the http provisioner's
     * {@code callback_url}.
     */
    public static Optional<String> publicUrl(Config c) {
        return c.text(Setting.PUBLIC_URL).map(u -> {
            if (!u.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
                throw c.problem(Setting.PUBLIC_URL, "must be an http:// or https:// URL without query or fragment, such as "
                        + "https://warmpool.example, got '" + u + "'");
            }
            return u;
        });
    }
}
