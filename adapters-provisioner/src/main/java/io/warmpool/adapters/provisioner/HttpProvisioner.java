package io.warmpool.adapters.provisioner;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.RetrySettings;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.Timeouts;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, deletes, checks and hands over workspaces by POSTing the request to a webhook (SPEC §4 {@code http},
 * R10–R12). It sends create and delete always, check and claim when the receiver handles them
 * ({@link HttpProvisionerConfig#transitions()}, setting {@code http-provisioner-transitions}); the body's
 * {@code transition} ({@code create}, {@code delete}, {@code check}, {@code claim}) tells the receiver which. An
 * unlisted claim is a no-op handoff and an unlisted check a permanent failure, answered at once without a request
 * (the port's contract).
 *
 * <p><b>Request.</b> {@code POST} to {@link HttpProvisionerConfig#url(Transition)} with {@code Content-Type:
 * application/json}, the body being the request JSON documented in {@link io.warmpool.adapters.provisioner the
 * package}, signed as {@link HttpSignature} describes (headers {@value HttpSignature#TIMESTAMP_HEADER} and
 * {@value HttpSignature#SIGNATURE_HEADER}; a fresh timestamp and signature for each attempt), and
 * {@value #IDEMPOTENCY_KEY_HEADER}: the request's id, the same on every attempt of one build or request.
 *
 * <p><b>Timeouts.</b> Each transition has its own ({@link HttpProvisionerConfig.Timeouts}); it bounds the whole
 * call: every attempt gets what is left of it, retries happen only within it, and when it passes the result is
 * a transient failure naming the setting ({@code create-timeout}, …).
 *
 * <p><b>Response.</b>
 * <ul>
 *   <li>202 to a create or delete: accepted; the receiver reports the outcome later by the signed callback
 *       ({@link HttpBuildCallbacks}) to the request's {@code callback_url}, within the transition's timeout counted
 *       from when the job was taken: {@link ProvisionResult.Accepted}. Not retried.</li>
 *   <li>other 2xx: success; the body is empty or a JSON object of outputs (package doc); for a check, the answer
 *       {@code {"status": "ready" | …}} ({@link ProvisionResult.Checked}). A 2xx whose body is not that is
 *       a transient failure, not retried (the receiver acted; sending again would repeat the build).</li>
 *   <li>4xx except 408 and 429: permanent failure (R5), error from the body's {@code "error"} member or its text;
 *       not retried.</li>
 *   <li>5xx, 408, 429, timeouts and connection errors: transient; retried with exponential backoff and equal
 *       jitter ({@link RetrySettings}), and counted as failures by the endpoint's circuit breaker. When the
 *       attempts run out, the last one's error is the result.</li>
 *   <li>anything else (1xx, 3xx: redirects are not followed): transient failure, not retried.</li>
 *   <li>circuit open: {@link ProvisionResult.Unavailable} without sending anything; the preset's failure state is
 *       not touched (R3) and the job is tried again later.</li>
 * </ul>
 * Each distinct URL has its own circuit breaker and retry. The breaker's open duration runs on the injected
 * {@link Clock}; retry waits run on the injected {@link ScheduledExecutorService}, with jitter from the injected
 * {@link RandomGenerator}.
 *
 * <p>The secret never appears in results, logs or exceptions; endpoints are described without their query string.
 * The returned stage always completes, by the transition's timeout at the latest.
 */
public final class HttpProvisioner implements WorkspaceProvisionerPort {

    /**
     * Header carrying the request's id ({@link ProvisionRequest#requestId()}: the build id for queued builds), the
     * same on every attempt and retry of it: a receiver that has seen the key acts once.
     */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private static final Logger LOG = LoggerFactory.getLogger(HttpProvisioner.class);
    private static final int ERROR_DETAIL_CHARS = 500;
    private static final int LOG_BODY_CHARS = 8 * 1024;

    private final HttpProvisionerConfig config;
    private final HttpClient client;
    private final Clock clock;
    private final RandomGenerator random;
    private final ScheduledExecutorService retryScheduler;
    private final Map<URI, Endpoint> endpoints = new LinkedHashMap<>();

    /**
     * @param config         endpoints, secret, timeouts, retry and breaker settings
     * @param client         sends the requests; see {@link #newHttpClient(HttpProvisionerConfig)}
     * @param clock          timestamps for signatures and the circuit breakers' time
     * @param random         jitter of the retry waits (used under a lock, so any generator will do)
     * @param retryScheduler runs retries after their wait; owned by the caller
     */
    public HttpProvisioner(HttpProvisionerConfig config, HttpClient client, Clock clock, RandomGenerator random,
                           ScheduledExecutorService retryScheduler) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.retryScheduler = Objects.requireNonNull(retryScheduler, "retryScheduler");
        for (URI url : List.of(config.createUrl(), config.deleteUrl())) {
            endpoints.computeIfAbsent(url, this::endpoint);
        }
    }

    /** An HTTP client for {@code config}: its connect timeout, redirects not followed. */
    public static HttpClient newHttpClient(HttpProvisionerConfig config) {
        return HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        if (!supports(request.transition())) {
            return CompletableFuture.completedFuture(unsupported(request.transition()));
        }
        Endpoint endpoint = endpoints.get(config.url(request.transition()));
        byte[] body = ProvisionerJson.request(request, callbackUrl(request));
        AtomicInteger attempts = new AtomicInteger();
        StringBuilder log = new StringBuilder();
        Transition transition = request.transition();
        Duration timeout = config.timeouts().of(transition);
        String timedOut = transition.wire() + " timed out after " + timeout + " (" + Timeouts.setting(transition) + ")";
        // A monotonic deadline, not the clock: the clock signs requests and may be a test's, but time must pass.
        long deadline = System.nanoTime() + timeout.toNanos();
        Supplier<CompletionStage<Attempt>> once = () -> send(endpoint, request, body, attempts.incrementAndGet(), log,
                deadline, timedOut);
        Supplier<CompletionStage<Attempt>> guarded = CircuitBreaker.decorateCompletionStage(endpoint.breaker, once);
        Supplier<CompletionStage<Attempt>> retried = Retry.decorateCompletionStage(endpoint.retry, retryScheduler, guarded);
        CompletableFuture<Attempt> outcome;
        try {
            outcome = retried.get().toCompletableFuture();
        } catch (RuntimeException e) {
            // resilience4j runs the first attempt inline; a scheduler that refuses work must not escape as a throw.
            outcome = CompletableFuture.failedFuture(e);
        }
        // The transition's timeout bounds everything, retry waits included.
        return outcome.completeOnTimeout(new Attempt(Kind.FINAL, endpoint.description + ": " + timedOut, null,
                        timedOut, null), timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((attempt, error) -> result(endpoint, transition, attempt, error, attempts.get(), log));
    }

    /**
     * The {@code callback_url} of a create's or delete's request for a queued build ({@code build-<id>}) when a public
     * URL is configured; otherwise none.
     */
    private String callbackUrl(ProvisionRequest request) {
        if (request.transition() != Transition.CREATE && request.transition() != Transition.DELETE) {
            return null;
        }
        java.util.regex.Matcher m = BUILD_REQUEST.matcher(request.requestId());
        if (!m.matches()) {
            return null;
        }
        long id;
        try {
            id = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        URI url = config.callbackUrl(id);
        return url == null ? null : url.toString();
    }

    private static final java.util.regex.Pattern BUILD_REQUEST = java.util.regex.Pattern.compile("build-([1-9][0-9]{0,18})");

    /** Every transition: the receiver answers check and claim too (the body's {@code transition} says which). */
    @Override
    public boolean supports(Transition transition) {
        return config.transitions().contains(Objects.requireNonNull(transition, "transition"));
    }

    /** What an unlisted transition answers at once (the port's contract): a no-op claim, a check that cannot be. */
    private static ProvisionResult unsupported(Transition transition) {
        return Unsupported.answer(transition,
                "the receiver does not handle claims (--http-provisioner-transitions): the handoff is a no-op",
                "the http provisioner's receiver does not handle checks (add check to --http-provisioner-transitions),"
                        + " so it cannot say whether a workspace is ready");
    }

    /** The state of the circuit breaker of {@code transition}'s endpoint: {@code closed}, {@code open}, {@code half_open}, … */
    public String circuitState(Transition transition) {
        return endpoints.get(config.url(transition)).breaker.getState().name().toLowerCase(Locale.ROOT);
    }

    private ProvisionResult result(Endpoint endpoint, Transition transition, Attempt attempt, Throwable error,
                                   int attempts, StringBuilder log) {
        String logText;
        synchronized (log) {
            logText = log.toString();
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            if (cause instanceof java.util.concurrent.RejectedExecutionException) {
                // The retry scheduler was shut down: the service is stopping, which says nothing about the preset.
                return new ProvisionResult.Unavailable("http provisioner is stopped");
            }
            if (cause instanceof CallNotPermittedException) {
                String reason = "circuit breaker for " + endpoint.description + " is open"
                        + (attempts > 0 ? " (after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ")" : "");
                return new ProvisionResult.Unavailable(reason);
            }
            LOG.warn("http provisioner error for " + endpoint.description + ": " + cause);
            return new ProvisionResult.Failed("http provisioner error: " + cause.getClass().getSimpleName(), false, logText);
        }
        return switch (attempt.kind) {
            case ACCEPTED -> new ProvisionResult.Accepted(config.timeouts().of(transition), logText);
            case SUCCEEDED -> attempt.checked != null
                    ? new ProvisionResult.Checked(attempt.checked.health(), attempt.checked.detail(),
                            attempt.checked.permanent(), logText)
                    : new ProvisionResult.Succeeded(attempt.outputs, logText);
            case PERMANENT -> new ProvisionResult.Failed(attempt.error, true, logText);
            case RETRYABLE, FINAL -> new ProvisionResult.Failed(attempt.error
                    + (attempts > 1 ? " (gave up after " + attempts + " attempts)" : ""), false, logText);
        };
    }

    private CompletionStage<Attempt> send(Endpoint endpoint, ProvisionRequest provision, byte[] body, int number,
                                          StringBuilder log, long deadline, String timedOut) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            // Nothing was sent, so nothing for the breaker to judge; FINAL is not retried.
            return CompletableFuture.completedFuture(new Attempt(Kind.FINAL, endpoint.description + ": " + timedOut,
                    null, timedOut, null));
        }
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(endpoint.url)
                .timeout(Duration.ofNanos(remaining))
                .header("Content-Type", "application/json")
                .header(IDEMPOTENCY_KEY_HEADER, provision.requestId())
                .header(HttpSignature.TIMESTAMP_HEADER, timestamp)
                .header(HttpSignature.SIGNATURE_HEADER, HttpSignature.sign(config.secret(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Body>> response;
        try {
            response = client.sendAsync(request, info -> HttpResponse.BodySubscribers.fromSubscriber(
                    new BoundedBody(config.responseLimitBytes()), BoundedBody::body));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        // The request timeout bounds the wait for headers; this also bounds a body that trickles in forever.
        return response.orTimeout(remaining, TimeUnit.NANOSECONDS)
                .handle((r, e) -> {
                    Attempt attempt = e == null ? classify(endpoint, provision.transition(), r)
                            : transportFailure(endpoint, unwrap(e), timedOut);
                    synchronized (log) {
                        log.append("attempt ").append(number).append(": ").append(attempt.summary).append('\n');
                        if (r != null && !r.body().text().isBlank()) {
                            String text = r.body().text();
                            // Bounded per attempt, so the build log stays small however often we retry.
                            log.append(text.length() <= LOG_BODY_CHARS ? text : text.substring(0, LOG_BODY_CHARS) + "…")
                                    .append('\n');
                        }
                    }
                    return attempt;
                });
    }

    private Attempt classify(Endpoint endpoint, Transition transition, HttpResponse<Body> response) {
        int status = response.statusCode();
        Body body = response.body();
        String prefix = "HTTP " + status + " from " + endpoint.description;
        if (status == 202 && (transition == Transition.CREATE || transition == Transition.DELETE)) {
            // Accepted: the outcome comes later by the signed callback; the body, if any, is only logged.
            return new Attempt(Kind.ACCEPTED, null, Map.of(), "HTTP 202 (accepted; awaiting the callback)", null);
        }
        if (status >= 200 && status < 300) {
            String shape = transition == Transition.CHECK ? ProvisionerJson.CHECK_SHAPE
                    : "empty or one JSON object of outputs";
            if (body.truncated()) {
                return new Attempt(Kind.FINAL, prefix + ": response body exceeds " + config.responseLimitBytes()
                        + " bytes; it must be " + shape, null, "HTTP " + status, null);
            }
            try {
                if (transition == Transition.CHECK) {
                    return new Attempt(Kind.SUCCEEDED, null, Map.of(), "HTTP " + status,
                            ProvisionerJson.check(body.text(), ""));
                }
                return new Attempt(Kind.SUCCEEDED, null, ProvisionerJson.reply(body.text()).outputs(), "HTTP " + status,
                        null);
            } catch (IllegalArgumentException e) {
                return new Attempt(Kind.FINAL, prefix + ": response body is " + e.getMessage() + "; it must be " + shape,
                        null, "HTTP " + status, null);
            }
        }
        String detail = errorDetail(body);
        String error = prefix + (detail.isEmpty() ? "" : ": " + detail);
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new Attempt(Kind.PERMANENT, error, null, "HTTP " + status, null);
        }
        if (status >= 500 || status == 408 || status == 429) {
            return new Attempt(Kind.RETRYABLE, error, null, "HTTP " + status, null);
        }
        return new Attempt(Kind.FINAL, prefix + ": unexpected status" + (detail.isEmpty() ? "" : ": " + detail), null,
                "HTTP " + status, null);
    }

    private Attempt transportFailure(Endpoint endpoint, Throwable error, String timedOut) {
        String what;
        if (error instanceof HttpConnectTimeoutException) {
            what = "connect timed out after " + config.connectTimeout();
        } else if (error instanceof HttpTimeoutException || error instanceof java.util.concurrent.TimeoutException) {
            what = timedOut;
        } else if (error instanceof ConnectException) {
            what = "connection refused";
        } else if (error instanceof IOException) {
            what = "connection error (" + error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + error.getMessage()) + ")";
        } else {
            what = "request failed (" + error.getClass().getSimpleName() + ")";
        }
        return new Attempt(Kind.RETRYABLE, endpoint.description + ": " + what, null, what, null);
    }

    private static String errorDetail(Body body) {
        String text = body.text().strip();
        ProvisionerJson.Reply reply = ProvisionerJson.replyOrNull(text);
        if (reply != null && reply.error() != null && !reply.error().isBlank()) {
            text = reply.error().strip();
        }
        return text.length() <= ERROR_DETAIL_CHARS ? text : text.substring(0, ERROR_DETAIL_CHARS) + "…";
    }

    private Endpoint endpoint(URI url) {
        String description = describe(url);
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.circuitBreaker().slidingWindowSize())
                .minimumNumberOfCalls(config.circuitBreaker().minimumCalls())
                .failureRateThreshold(config.circuitBreaker().failureRatePercent())
                .waitDurationInOpenState(config.circuitBreaker().openDuration())
                .permittedNumberOfCallsInHalfOpenState(config.circuitBreaker().halfOpenCalls())
                .recordResult(result -> result instanceof Attempt a && a.kind == Kind.RETRYABLE)
                // Attempts never complete exceptionally; anything that does is our bug, not an outage.
                .recordException(e -> false)
                .clock(clock)
                .currentTimestampFunction(Clock::millis, TimeUnit.MILLISECONDS)
                .build();
        RetrySettings settings = config.retry();
        RetryConfig retryConfig = RetryConfig.<Attempt>custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(backoff(settings, random))
                .retryOnResult(attempt -> attempt.kind == Kind.RETRYABLE)
                // An open circuit is not retried: it is reported as Unavailable at once.
                .retryOnException(e -> false)
                .failAfterMaxAttempts(false)
                .build();
        return new Endpoint(url, description, CircuitBreaker.of("warmpool-http " + description, breakerConfig),
                Retry.of("warmpool-http " + description, retryConfig));
    }

    /**
     * The wait before retry {@code n}: {@code d = min(max, initial × multiplier^(n−1))} ms, then uniform in
     * {@code [ceil(d/2), d]} (equal jitter: spreads retries of many callers yet never waits less than half).
     */
    static IntervalFunction backoff(RetrySettings settings, RandomGenerator random) {
        return retry -> {
            BigDecimal grown = BigDecimal.valueOf(settings.initialBackoff().toMillis())
                    .multiply(BigDecimal.valueOf(settings.multiplier()).pow(Math.max(0, retry - 1)));
            long cap = settings.maxBackoff().toMillis();
            long d = grown.compareTo(BigDecimal.valueOf(cap)) >= 0 ? cap : grown.longValue();
            long half = d / 2;
            long draw;
            synchronized (random) {
                draw = random.nextLong(half + 1);
            }
            return d - half + draw;
        };
    }

    /** scheme://host:port/path: enough to tell endpoints apart, without a query that might carry a token. */
    private static String describe(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private record Endpoint(URI url, String description, CircuitBreaker breaker, Retry retry) {
    }

    private enum Kind { SUCCEEDED, ACCEPTED, PERMANENT, RETRYABLE, FINAL }

    /**
     * One attempt's outcome; attempts never complete exceptionally, so retry and breaker judge results only.
     * {@code checked} is a check's answer (its log is filled in at the end).
     */
    private record Attempt(Kind kind, String error, Map<String, String> outputs, String summary,
                           ProvisionResult.Checked checked) {
    }

    /** A response body: its first bytes, up to the limit, and whether more came. */
    record Body(byte[] bytes, boolean truncated) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Reads a response body keeping at most {@code limit} bytes, so a huge or endless body cannot fill memory. */
    private static final class BoundedBody implements Flow.Subscriber<List<ByteBuffer>> {
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean truncated;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int room = limit - kept.size();
                int take = Math.min(room, buffer.remaining());
                if (take < buffer.remaining()) {
                    truncated = true;
                }
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                kept.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            // The client completes the response exceptionally itself; nothing to keep.
        }

        @Override
        public void onComplete() {
        }

        synchronized Body body() {
            return new Body(kept.toByteArray(), truncated);
        }
    }
}
