package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.Transition;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of the {@link HttpProvisioner}. A plain record so bootstrap can build it from YAML; the constructors
 * reject bad values with an {@link IllegalArgumentException} naming the field as spelled in YAML. Its
 * {@code toString} is safe to log: the secret prints redacted.
 *
 * @param createUrl          where creates, checks and claims are POSTed (the body's {@code transition} says which)
 * @param deleteUrl          where deletes are POSTed; may equal {@code createUrl}
 * @param secret             signs every request ({@link HttpSignature})
 * @param connectTimeout     for opening a connection
 * @param timeouts           how long each transition may take in all, every attempt and retry wait included
 * @param retry              retries of transient failures
 * @param circuitBreaker     the circuit breaker of each distinct endpoint
 * @param responseLimitBytes the largest response body read; a larger 2xx body is a failure, a larger error body is
 *                           cut
 * @param publicUrl          the service's base URL as receivers reach it (setting {@code public-url}); a create's or
 *                           delete's request carries {@code callback_url} = this + {@code /api/v1/builds/<id>/complete}
 *                           for receivers that answer {@code 202 Accepted}; null: no {@code callback_url}
 * @param transitions        the transitions the receiver handles (setting {@code http-provisioner-transitions}):
 *                           always create and delete; check and claim only when listed — a receiver built before
 *                           them is never sent them (a claim is then a no-op handoff, a check cannot be made)
 */
public record HttpProvisionerConfig(URI createUrl, URI deleteUrl, HmacSecret secret, Duration connectTimeout,
                                    Timeouts timeouts, RetrySettings retry, CircuitBreakerSettings circuitBreaker,
                                    int responseLimitBytes, URI publicUrl, Set<Transition> transitions) {

    /** Create and delete: what every receiver handles. */
    public static final Set<Transition> REQUIRED_TRANSITIONS = Set.of(Transition.CREATE, Transition.DELETE);

    /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

    public HttpProvisionerConfig {
        requireEndpoint("create-url", createUrl);
        requireEndpoint("delete-url", deleteUrl);
        if (secret == null) {
            throw new IllegalArgumentException("secret must be given");
        }
        requirePositive("connect-timeout", connectTimeout);
        Objects.requireNonNull(timeouts, "timeouts must be given");
        Objects.requireNonNull(retry, "retry must be given");
        Objects.requireNonNull(circuitBreaker, "circuit-breaker must be given");
        if (responseLimitBytes < 1024) {
            throw new IllegalArgumentException("response-limit-bytes must be at least 1024, was " + responseLimitBytes);
        }
        transitions = transitions == null ? REQUIRED_TRANSITIONS : Set.copyOf(transitions);
        if (!transitions.containsAll(REQUIRED_TRANSITIONS)) {
            throw new IllegalArgumentException("transitions must include create and delete, got " + transitions);
        }
        if (publicUrl != null) {
            requireEndpoint("public-url", publicUrl);
            if (publicUrl.getRawQuery() != null) {
                throw new IllegalArgumentException("public-url must not have a ?query");
            }
        }
    }

    /** The config without a public URL (no {@code callback_url} in requests). */
    public HttpProvisionerConfig(URI createUrl, URI deleteUrl, HmacSecret secret, Duration connectTimeout,
                                 Timeouts timeouts, RetrySettings retry, CircuitBreakerSettings circuitBreaker,
                                 int responseLimitBytes) {
        this(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry, circuitBreaker, responseLimitBytes, null,
                REQUIRED_TRANSITIONS);
    }

    /** A copy whose requests tell receivers to call back under {@code publicUrl} (null: no callback URL). */
    public HttpProvisionerConfig withPublicUrl(URI publicUrl) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /** A copy whose receiver handles {@code transitions} (create and delete must be among them). */
    public HttpProvisionerConfig withTransitions(Set<Transition> transitions) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /** The path of a build's callback under {@link #publicUrl()}; {@code {id}} is the build id. */
    public static final String CALLBACK_PATH = "/api/v1/builds/{id}/complete";

    /** Where the receiver reports the outcome of build {@code buildId}, or null without a {@link #publicUrl()}. */
    public URI callbackUrl(long buildId) {
        if (publicUrl == null) {
            return null;
        }
        String base = publicUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + CALLBACK_PATH.replace("{id}", Long.toString(buildId)));
    }

    /**
     * One URL for every transition, with defaults: connect 5 s, {@link Timeouts#DEFAULT}, {@link RetrySettings#DEFAULT},
     * {@link CircuitBreakerSettings#DEFAULT}, 64 KiB responses.
     */
    public static HttpProvisionerConfig of(URI url, HmacSecret secret) {
        return new HttpProvisionerConfig(url, url, secret, Duration.ofSeconds(5), Timeouts.DEFAULT,
                RetrySettings.DEFAULT, CircuitBreakerSettings.DEFAULT, 64 * 1024);
    }

    /** The URL for {@code transition}: deletes go to {@code deleteUrl}, everything else to {@code createUrl}. */
    public URI url(Transition transition) {
        return transition == Transition.DELETE ? deleteUrl : createUrl;
    }

    /** A copy with other per-transition timeouts. */
    public HttpProvisionerConfig withTimeouts(Timeouts timeouts) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /**
     * How long each transition may take in all (settings {@code create-timeout}, {@code delete-timeout},
     * {@code check-timeout}, {@code claim-timeout}): every attempt gets what is left of it, retries happen only
     * inside it, and when it has passed the transition ends as a transient failure naming the setting.
     */
    public record Timeouts(Duration create, Duration delete, Duration check, Duration claim) {

        /** Create and delete 30 min (slow infrastructure), check 30 s, claim 60 s (SPEC R12). */
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofMinutes(30), Duration.ofMinutes(30),
                Duration.ofSeconds(30), Duration.ofSeconds(60));

        /** @throws IllegalArgumentException naming the setting, when a value is missing or not positive */

        public Timeouts {
            requirePositive("create-timeout", create);
            requirePositive("delete-timeout", delete);
            requirePositive("check-timeout", check);
            requirePositive("claim-timeout", claim);
        }

        /** The same timeout for every transition. */
        public static Timeouts all(Duration timeout) {
            return new Timeouts(timeout, timeout, timeout, timeout);
        }

        /** The timeout of {@code transition}. */
        public Duration of(Transition transition) {
            return switch (transition) {
                case CREATE -> create;
                case DELETE -> delete;
                case CHECK -> check;
                case CLAIM -> claim;
            };
        }

        /** The name of {@code transition}'s setting, for messages: {@code create-timeout}, … */
        public static String setting(Transition transition) {
            return transition.wire() + "-timeout";
        }
    }

    /** A copy with other endpoints. */
    public HttpProvisionerConfig withUrls(URI createUrl, URI deleteUrl) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /** A copy with other retry settings. */
    public HttpProvisionerConfig withRetry(RetrySettings retry) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /** A copy with other circuit breaker settings. */
    public HttpProvisionerConfig withCircuitBreaker(CircuitBreakerSettings circuitBreaker) {
        return new HttpProvisionerConfig(createUrl, deleteUrl, secret, connectTimeout, timeouts, retry,
                circuitBreaker, responseLimitBytes, publicUrl, transitions);
    }

    /**
     * Retries of transient failures (5xx, 408, 429, timeouts, connection errors). The wait before retry {@code n}
     * (1-based) is {@code d = min(max-backoff, initial-backoff × multiplier^(n−1))} in whole milliseconds, then
     * "equal jitter": a uniform draw in {@code [ceil(d/2), d]} from the provisioner's injected random source.
     *
     * @param maxAttempts    attempts in all, including the first (1 = no retry), at most 10
     * @param initialBackoff wait before the first retry, before jitter
     * @param multiplier     growth per retry, at least 1
     * @param maxBackoff     cap of the wait, before jitter
     */
    public record RetrySettings(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {

        /** 3 attempts, waits of about 0.5 s then 1 s, capped at 10 s. */
        public static final RetrySettings DEFAULT = new RetrySettings(3, Duration.ofMillis(500), 2, Duration.ofSeconds(10));

        /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

        public RetrySettings {
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw new IllegalArgumentException("retry.max-attempts must be between 1 and 10, was " + maxAttempts);
            }
            requirePositive("retry.initial-backoff", initialBackoff);
            if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("retry.multiplier must be at least 1, was " + multiplier);
            }
            requirePositive("retry.max-backoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("retry.max-backoff (" + maxBackoff
                        + ") must not be less than retry.initial-backoff (" + initialBackoff + ")");
            }
        }

        /** A copy making {@code maxAttempts} attempts in all (setting {@code http-provisioner-max-attempts}). */
        public RetrySettings withMaxAttempts(int maxAttempts) {
            return new RetrySettings(maxAttempts, initialBackoff, multiplier, maxBackoff);
        }
    }

    /**
     * The circuit breaker of one endpoint (count-based window). Transient failures count as failures; 2xx and 4xx
     * answers count as successes (the endpoint works, even if the request was bad). While open, requests are not
     * sent and end {@link io.warmpool.application.port.out.ProvisionResult.Unavailable}.
     *
     * @param slidingWindowSize  how many recent attempts the failure rate is computed over
     * @param minimumCalls       attempts needed before the rate is judged
     * @param failureRatePercent the rate (1–100) at or above which the circuit opens
     * @param openDuration       how long it stays open before letting probes through
     * @param halfOpenCalls      probes let through while half-open; all must complete before it closes or reopens
     */
    public record CircuitBreakerSettings(int slidingWindowSize, int minimumCalls, int failureRatePercent,
                                         Duration openDuration, int halfOpenCalls) {

        /** Opens when half of the last 20 attempts (at least 10) failed; probes 3 requests after 30 s. */
        public static final CircuitBreakerSettings DEFAULT = new CircuitBreakerSettings(20, 10, 50, Duration.ofSeconds(30), 3);

        /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

        public CircuitBreakerSettings {
            if (slidingWindowSize < 1) {
                throw new IllegalArgumentException("circuit-breaker.sliding-window-size must be at least 1, was " + slidingWindowSize);
            }
            if (minimumCalls < 1) {
                throw new IllegalArgumentException("circuit-breaker.minimum-calls must be at least 1, was " + minimumCalls);
            }
            if (failureRatePercent < 1 || failureRatePercent > 100) {
                throw new IllegalArgumentException("circuit-breaker.failure-rate-percent must be between 1 and 100, was "
                        + failureRatePercent);
            }
            requirePositive("circuit-breaker.open-duration", openDuration);
            if (halfOpenCalls < 1) {
                throw new IllegalArgumentException("circuit-breaker.half-open-calls must be at least 1, was " + halfOpenCalls);
            }
        }
    }

    private static void requireEndpoint(String field, URI url) {
        if (url == null) {
            throw new IllegalArgumentException(field + " must be given");
        }
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException(field + " must be an absolute http or https URL, was " + url);
        }
        if (url.getRawUserInfo() != null) {
            // Credentials in a URL end up in logs and error messages; the HMAC secret authenticates instead.
            throw new IllegalArgumentException(field + " must not contain credentials (user:password@)");
        }
        if (url.getRawFragment() != null) {
            throw new IllegalArgumentException(field + " must not have a #fragment");
        }
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + value);
        }
    }
}
