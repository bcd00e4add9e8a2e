package io.warmpool.adapters.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of SPEC §5 on a Prometheus registry of its own: an outbound adapter for both {@link MetricsPort}
 * (gauges, histograms) and {@link EventSinkPort} (the created / failed / claimed / missed counters). It serves no
 * endpoint itself: {@link #writeTo} is the scrape that the REST API's {@code /metrics} answers with.
 *
 * <p>Names and labels:
 * <ul>
 *   <li>{@code warmpool_prebuilt_workspaces_{created,failed,claimed,claim_missed,claim_failed}_total{template,preset}}
 *       — counted from {@code create_succeeded}, {@code create_failed}, {@code claim_succeeded}, {@code claim_missed}
 *       and {@code claim_failed} (a claim handoff that failed, timed out or was reaped, SPEC R12) events;</li>
 *   <li>{@code warmpool_prebuilt_workspaces_unhealthy_total{template,preset}} — ready prebuilds liveness checks
 *       found unhealthy or gone (SPEC R11), counted by the worker that found it;</li>
 *   <li>{@code warmpool_prebuilt_workspaces_{desired,running,eligible,starting}{template,preset}},
 *       {@code warmpool_preset_hard_limited}, {@code warmpool_preset_consecutive_failures} and
 *       {@code warmpool_preset_backoff_until_timestamp_seconds} (Unix seconds, 0 when not backing off; also under its
 *       deprecated SPEC §5 name {@code warmpool_preset_backoff_until_seconds} for one release) — from the plans of
 *       each {@link #passFinished pass}. Versions of one {@code template/preset} share a label set: the pool
 *       counts are summed over them (an old version's draining prebuilds are still running), and the failure
 *       gauges are the active version's (0 when no version is active);</li>
 *   <li>{@code warmpool_autoscale_forecast_claims_per_second} (and, deprecated for one release,
 *       {@code warmpool_autoscale_forecast_claims_per_hour}), {@code warmpool_autoscale_build_seconds} and
 *       {@code warmpool_autoscale_expected_hit_ratio{template,preset}} — the numbers behind an autoscaled preset's
 *       desired count (SPEC R13, {@link Sizing}): the forecast {@code λ}, the build time {@code T}, and the hit rate a
 *       pool of {@code desired} is expected to reach, {@code 1 − B(desired, λ·T)} — or 1 while {@code λ} is 0 (no
 *       claim expected, so none expected to miss; docs/decisions.md). The active version's; present only while a
 *       pass reports that version active with {@code prebuilds.autoscale}, removed at the first pass that does not
 *       (autoscale dropped, version inactive) and with the preset's other gauges;</li>
 *   <li>{@code warmpool_reconciliation_paused} (0/1), {@code warmpool_reconciliation_duration_seconds},
 *       {@code warmpool_claim_duration_seconds{template,preset,outcome="hit"|"miss"|"handoff_failed"}},
 *       {@code warmpool_claim_wait_seconds{template,preset,outcome="served"|"timed_out"|"full"}} (claims that waited,
 *       SPEC R12 {@code wait}: how long, from arrival to their answer),
 *       {@code warmpool_provisioner_jobs_in_flight{kind}},
 *       {@code warmpool_provisioner_jobs_pending{kind}} (the queue depth, cluster-wide, as counted at this replica's
 *       last reconcile tick), {@code warmpool_provisioner_job_duration_seconds{template,preset,kind,outcome}} (the
 *       build duration) and {@code warmpool_reconciliation_last_pass_timestamp_seconds} (the end of this replica's
 *       last pass, 0 before one);</li>
 *   <li>{@code warmpool_prebuilt_workspaces_deleted_total{template,preset,reason}} — deletes started, from
 *       {@code delete_started} events (their {@code reason}, lowercase) and {@code claim_failed} events
 *       ({@code claim_failed});</li>
 *   <li>with {@link #withBuildInfo}, {@code warmpool_build_info{version,revision}} = 1;</li>
 *   <li>{@code warmpool_events_pruned_total} — events this replica deleted from the event log (retention);</li>
 *   <li>with {@link #withJvmMetrics()}, the JVM's: {@code jvm_memory_used_bytes{area="heap"}} and the rest.</li>
 * </ul>
 *
 * <p>Pass gauges and partial passes: a pass nudged for one preset reports only that preset's plan, and a
 * {@link PassReport} does not say which scope it covered. So a preset's label set is not dropped the moment a
 * pass leaves it out; it is dropped once no pass has reported it (as a plan or a failure) for
 * {@code staleAfter} of pass time ({@link PassReport#startedAt()}, the injected clock), with its counters and its
 * histograms. Regular passes report every preset each reconcile interval, so a preset that is really gone disappears
 * after {@code staleAfter}. The names follow the Prometheus conventions ({@code promtool check metrics}: {@code _total}
 * counters, base units, {@code _timestamp_seconds} instants, {@code _info}); docs/decisions.md has the renames.
 *
 * <p>Thread-safe. Every method catches and logs its own failures: metrics must never break the work they
 * measure.
 */
public final class PrometheusMetrics implements MetricsPort, EventSinkPort {

    /** How long a preset's gauges outlive the last pass that reported it, unless told otherwise. */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetrics.class);
    private static final String[] PRESET_LABELS = {"template", "preset"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    private final Duration staleAfter;

    private final Counter created = counter("warmpool_prebuilt_workspaces_created_total", "Prebuilds created successfully.");
    private final Counter failed = counter("warmpool_prebuilt_workspaces_failed_total", "Prebuild creates that failed.");
    private final Counter claimed = counter("warmpool_prebuilt_workspaces_claimed_total", "Prebuilds handed to a user.");
    private final Counter claimMissed = counter("warmpool_prebuilt_workspaces_claim_missed_total",
            "Claims that found no eligible prebuild.");
    private final Counter claimFailed = counter("warmpool_prebuilt_workspaces_claim_failed_total",
            "Claim handoffs that failed, timed out or were reaped (R12); each prebuild was deleted as CLAIM_FAILED.");
    private final Counter unhealthy = counter("warmpool_prebuilt_workspaces_unhealthy_total",
            "Ready prebuilds that liveness checks found unhealthy or gone (R11); each is deleted and replaced.");

    private final Gauge desired = presetGauge("warmpool_prebuilt_workspaces_desired", "Desired pool size (R1).");
    private final Gauge running = presetGauge("warmpool_prebuilt_workspaces_running",
            "Prebuilds whose latest build is a succeeded create, expired ones included (R1).");
    private final Gauge eligible = presetGauge("warmpool_prebuilt_workspaces_eligible", "Prebuilds ready to be claimed (R1).");
    private final Gauge starting = presetGauge("warmpool_prebuilt_workspaces_starting", "Create builds pending or running (R1).");
    private final Gauge hardLimited = presetGauge("warmpool_preset_hard_limited",
            "1 when the preset is hard-limited (R4), else 0.");
    private final Gauge consecutiveFailures = presetGauge("warmpool_preset_consecutive_failures",
            "Failed creates since the last success (R3).");
    private final Gauge backoffUntil = presetGauge("warmpool_preset_backoff_until_timestamp_seconds",
            "End of the current creation backoff as a Unix timestamp in seconds, 0 when not backing off (R3).");
    /** Deprecated: the same value as {@link #backoffUntil} under its old name, kept for one release (0.2 drops it). */
    private final Gauge backoffUntilDeprecated = presetGauge("warmpool_preset_backoff_until_seconds",
            "DEPRECATED, use warmpool_preset_backoff_until_timestamp_seconds (same value); removed in the next release.");
    private final Gauge forecastClaims = presetGauge("warmpool_autoscale_forecast_claims_per_second",
            "Autoscaled presets: the claim rate (per second) forecast for the hour of the week containing now + build time (R13).");
    /** Deprecated: {@link #forecastClaims} in claims per hour under its old name, kept for one release. */
    private final Gauge forecastClaimsPerHour = presetGauge("warmpool_autoscale_forecast_claims_per_hour",
            "DEPRECATED, use warmpool_autoscale_forecast_claims_per_second (x 3600); removed in the next release.");
    private final Gauge buildSeconds = presetGauge("warmpool_autoscale_build_seconds",
            "Autoscaled presets: the build time T autoscale sizes with, p90 of the last 50 ready creates, 300 without any (R13).");
    private final Gauge expectedHitRatio = presetGauge("warmpool_autoscale_expected_hit_ratio",
            "Autoscaled presets: share of claims a pool of the desired size is expected to serve at the forecast, "
                    + "1 - B(desired, load); 1 when no claim is forecast (R13).");

    private final Gauge paused = Gauge.builder().name("warmpool_reconciliation_paused")
            .help("1 when reconciliation is paused, else 0.").withoutExemplars().register(registry);
    private final Histogram passDuration = Histogram.builder().name("warmpool_reconciliation_duration_seconds")
            .help("Duration of reconciliation passes that ran.").withoutExemplars().classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    private final Histogram claimDuration = Histogram.builder().name("warmpool_claim_duration_seconds")
            .help("Duration of claims, by preset and outcome (hit, miss, or handoff_failed: nothing handed over after the handoff failed).")
            .labelNames("template", "preset", "outcome").withoutExemplars()
            .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .register(registry);
    private final Histogram claimWait = Histogram.builder().name("warmpool_claim_wait_seconds")
            .help("How long claims that found nothing eligible waited, by preset and outcome (served, timed_out, full).")
            .labelNames("template", "preset", "outcome").withoutExemplars().classicOnly()
            .classicUpperBounds(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
            .register(registry);
    private final Gauge jobsInFlight = Gauge.builder().name("warmpool_provisioner_jobs_in_flight")
            .help("Provisioner jobs this replica's workers are running, by kind.").labelNames("kind")
            .withoutExemplars().register(registry);
    private final Histogram jobDuration = Histogram.builder().name("warmpool_provisioner_job_duration_seconds")
            .help("Duration of provisioner jobs (builds and checks), by preset, kind and outcome.")
            .labelNames("template", "preset", "kind", "outcome")
            .withoutExemplars().classicOnly()
            .classicUpperBounds(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
            .register(registry);
    private final Gauge jobsPending = Gauge.builder().name("warmpool_provisioner_jobs_pending")
            .help("Provisioner jobs waiting for a worker, cluster-wide, by kind (the queue depth), as of this replica's last reconcile tick.")
            .labelNames("kind").withoutExemplars().register(registry);
    private final Counter deleted = Counter.builder().name("warmpool_prebuilt_workspaces_deleted_total")
            .help("Workspaces whose delete warmpool started, by preset and reason (inactive, unhealthy, expired, "
                    + "invalidated, extraneous, failed_cleanup, released, claim_failed).")
            .labelNames("template", "preset", "reason").withoutExemplars().register(registry);
    private final Gauge lastPass = Gauge.builder().name("warmpool_reconciliation_last_pass_timestamp_seconds")
            .help("When the last pass this replica ran finished, as a Unix timestamp in seconds; 0 until it has run one "
                    + "(one replica at a time runs passes: take the max over replicas).")
            .withoutExemplars().register(registry);
    private final Counter eventsPruned = Counter.builder().name("warmpool_events_pruned_total")
            .help("Events deleted from the event log by this replica (events-retention).").withoutExemplars()
            .register(registry);

    /** Guarded by {@code this}: the latest sample of every preset (per version) and its label sets on show. */
    private final Map<PresetId, Sample> samples = new HashMap<>();
    private final Set<List<String>> shown = new HashSet<>();
    /** Guarded by itself: jobs in flight by kind, kept here so a stray report cannot push the gauge below zero. */
    private final Map<Transition, Integer> inFlight = new EnumMap<>(Transition.class);

    /** Metrics whose pass gauges are dropped {@link #DEFAULT_STALE_AFTER} after the last pass that reported them. */
    public PrometheusMetrics() {
        this(DEFAULT_STALE_AFTER);
    }

    /**
     * @param staleAfter how long a preset's pass gauges stay after the last pass that reported it; longer than
     *                   the reconcile interval, or presets flicker out between passes
     * @throws IllegalArgumentException when {@code staleAfter} is not positive
     */
    public PrometheusMetrics(Duration staleAfter) {
        Objects.requireNonNull(staleAfter, "staleAfter");
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive, got " + staleAfter);
        }
        this.staleAfter = staleAfter;
        paused.set(0);
        // The kinds of build the queue runs today show from the start; another kind appears with its first job.
        for (Transition kind : java.util.EnumSet.of(Transition.CREATE, Transition.DELETE)) {
            jobsInFlight.labelValues(kind.wire()).set(0);
            jobsPending.labelValues(kind.wire()).set(0);
            inFlight.put(kind, 0);
        }
    }

    /**
     * Adds the JVM's own metrics to this registry (prometheus-metrics-instrumentation-jvm): heap and non-heap
     * {@code jvm_memory_used_bytes{area}}, {@code jvm_memory_committed_bytes}, {@code jvm_memory_max_bytes}, the
     * memory pools, GC, threads, classes, buffer pools and {@code process_*}. What an operator watches to know
     * whether the service fits its heap (SPEC §6: 10k presets in {@code -Xmx256m}). Call once; the service does,
     * tests of the warmpool metrics need not.
     *
     * @return this
     */
    public PrometheusMetrics withJvmMetrics() {
        JvmMetrics.builder().register(registry);
        return this;
    }

    /**
     * Adds {@code warmpool_build_info{version,revision}} = 1: which build answers this scrape (bootstrap passes its
     * {@code BuildInfo} as text). Call once.
     *
     * @return this
     */
    public PrometheusMetrics withBuildInfo(String version, String revision) {
        Info.builder().name("warmpool_build_info")
                .help("Which build of warmpool this is: its version and git revision; always 1.")
                .labelNames("version", "revision").register(registry)
                .setLabelValues(Objects.requireNonNull(version, "version"), Objects.requireNonNull(revision, "revision"));
        return this;
    }

    /** The {@code Content-Type} of what {@link #writeTo} writes: the Prometheus text format (0.0.4). */
    public String contentType() {
        return textFormat.getContentType();
    }

    /**
     * Writes one scrape of every metric in the Prometheus text format, for the {@code /metrics} endpoint (bootstrap
     * hands it to the REST API). Safe to call concurrently with itself and with the recording methods.
     */
    public void writeTo(OutputStream out) throws IOException {
        textFormat.write(out, registry.scrape());
    }

    /** Counts {@code create_succeeded}, {@code create_failed}, {@code claim_succeeded} and {@code claim_missed}; ignores the rest. */
    @Override
    public void publish(List<Event> events) {
        try {
            for (Event event : events) {
                Counter counter = switch (event.type()) {
                    case CREATE_SUCCEEDED -> created;
                    case CREATE_FAILED -> failed;
                    case CLAIM_SUCCEEDED -> claimed;
                    case CLAIM_MISSED -> claimMissed;
                    case CLAIM_FAILED -> claimFailed;
                    default -> null;
                };
                if (counter != null) {
                    counter.labelValues(event.preset().template(), event.preset().preset()).inc();
                }
                String deleteReason = deleteReason(event);
                if (deleteReason != null) {
                    deleted.labelValues(event.preset().template(), event.preset().preset(), deleteReason).inc();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("recording events in metrics failed", e);
        }
    }

    /**
     * The reason of a delete an event starts, lowercase: a {@code delete_started} event's {@code reason} (the
     * planner's reasons, and {@code RELEASED} for a released workspace), and {@code claim_failed} for a claim handoff
     * that failed (its prebuild is deleted); null for every other event.
     */
    private static String deleteReason(Event event) {
        return switch (event.type()) {
            case DELETE_STARTED -> {
                String reason = event.details().get("reason");
                yield reason == null ? "unknown" : reason.toLowerCase(Locale.ROOT);
            }
            case CLAIM_FAILED -> "claim_failed";
            default -> null;
        };
    }

    /** Updates every pass gauge from the report's plans, observes the pass duration and sets the last pass's end. */
    @Override
    public void passFinished(PassReport report) {
        try {
            passDuration.observe(seconds(report.duration()));
            lastPass.set(report.startedAt().plus(report.duration()).toEpochMilli() / 1000.0);
            updatePresets(report);
        } catch (RuntimeException e) {
            LOG.warn("recording a pass in metrics failed", e);
        }
    }

    /** Sets {@code warmpool_reconciliation_paused} to 1 or 0. */
    @Override
    public void paused(boolean isPaused) {
        try {
            paused.set(isPaused ? 1 : 0);
        } catch (RuntimeException e) {
            LOG.warn("recording the pause flag in metrics failed", e);
        }
    }

    @Override
    public void eventsPruned(long count) {
        try {
            eventsPruned.inc(count);
        } catch (RuntimeException e) {
            LOG.warn("counting pruned events in metrics failed", e);
        }
    }

    /** Sets {@code warmpool_provisioner_jobs_pending{kind}}; a kind not in the map keeps its value. */
    @Override
    public void pendingJobs(Map<Transition, Integer> pending) {
        try {
            pending.forEach((kind, count) -> jobsPending.labelValues(kind.wire()).set(count));
        } catch (RuntimeException e) {
            LOG.warn("recording the queue depth in metrics failed", e);
        }
    }

    /** Observes the claim's duration under its preset and {@code outcome} {@code hit} or {@code miss}. */
    @Override
    public void claimFinished(PresetId preset, boolean hit, Duration duration) {
        try {
            claimDuration.labelValues(preset.template(), preset.preset(), hit ? "hit" : "miss").observe(seconds(duration));
        } catch (RuntimeException e) {
            LOG.warn("recording a claim in metrics failed", e);
        }
    }

    /** Observes a claim whose handoff failed, as {@code warmpool_claim_duration_seconds{outcome="handoff_failed"}}. */
    @Override
    public void claimHandoffFailed(PresetId preset, Duration duration) {
        try {
            claimDuration.labelValues(preset.template(), preset.preset(), "handoff_failed").observe(seconds(duration));
        } catch (RuntimeException e) {
            LOG.warn("recording a claim in metrics failed", e);
        }
    }

    /** Counts a prebuild found unhealthy or gone by its liveness checks (R11). */
    @Override
    public void prebuildUnhealthy(PresetId preset) {
        try {
            unhealthy.labelValues(preset.template(), preset.preset()).inc();
        } catch (RuntimeException e) {
            LOG.warn("recording an unhealthy prebuild in metrics failed", e);
        }
    }

    /** Observes how long a waiting claim waited, under its preset and {@code outcome}. */
    @Override
    public void claimWaited(PresetId preset, String outcome, Duration waited) {
        try {
            claimWait.labelValues(preset.template(), preset.preset(), outcome).observe(seconds(waited));
        } catch (RuntimeException e) {
            LOG.warn("recording a claim's wait in metrics failed", e);
        }
    }

    /** Raises {@code warmpool_provisioner_jobs_in_flight} for the job's kind. */
    @Override
    public void jobStarted(Transition transition) {
        try {
            moveInFlight(transition, +1);
        } catch (RuntimeException e) {
            LOG.warn("recording a job start in metrics failed", e);
        }
    }

    /**
     * A job ended. A {@code lost} report with a zero duration is the reaper's (A2): any replica reaps lost jobs,
     * including ones its own workers never started, so it neither lowers this replica's in-flight gauge nor adds
     * a meaningless zero to the duration histogram. The worker that did run a reaped job reports it again, as
     * {@code lost} with its real duration, when it finishes.
     */
    @Override
    public void jobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
        try {
            if ("lost".equals(outcome) && duration.isZero()) {
                return;
            }
            moveInFlight(transition, -1);
            jobDuration.labelValues(preset.template(), preset.preset(), transition.wire(), outcome.toLowerCase(Locale.ROOT))
                    .observe(seconds(duration));
        } catch (RuntimeException e) {
            LOG.warn("recording a job end in metrics failed", e);
        }
    }

    /**
     * A build that awaited its callback ended: its whole duration (from when a worker took it) in
     * {@code warmpool_provisioner_job_duration_seconds} with its outcome; the in-flight gauge is not moved (the
     * worker's {@code accepted} report lowered it, possibly on another replica).
     */
    @Override
    public void awaitedJobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
        try {
            jobDuration.labelValues(preset.template(), preset.preset(), transition.wire(), outcome.toLowerCase(Locale.ROOT))
                    .observe(seconds(duration));
        } catch (RuntimeException e) {
            LOG.warn("recording an awaited job's end in metrics failed", e);
        }
    }

    private void moveInFlight(Transition kind, int delta) {
        synchronized (inFlight) {
            int now = Math.max(inFlight.getOrDefault(kind, 0) + delta, 0);
            inFlight.put(kind, now);
            jobsInFlight.labelValues(kind.wire()).set(now);
        }
    }

    private synchronized void updatePresets(PassReport report) {
        Instant at = report.startedAt();
        for (PresetPlan plan : report.plans()) {
            samples.put(plan.id(), Sample.of(plan.state(), at));
        }
        // A preset whose planning failed still exists: keep its last values rather than let them go stale.
        report.failures().keySet().forEach(id -> samples.computeIfPresent(id, (k, s) -> s.seenAt(at)));
        Instant cutoff = at.minus(staleAfter);
        samples.values().removeIf(s -> s.seenAt.isBefore(cutoff));

        Map<List<String>, Aggregate> byLabels = new HashMap<>();
        samples.forEach((id, s) -> byLabels.computeIfAbsent(List.of(id.template(), id.preset()), k -> new Aggregate()).add(s));
        // Every preset's counters exist from its first pass, at 0: an alert on a rate sees the series before
        // the first event, and a scrape lists every metric name.
        for (List<String> labels : byLabels.keySet()) {
            String[] values = labels.toArray(String[]::new);
            created.initLabelValues(values);
            failed.initLabelValues(values);
            claimed.initLabelValues(values);
            claimMissed.initLabelValues(values);
            claimFailed.initLabelValues(values);
            unhealthy.initLabelValues(values);
        }
        byLabels.forEach((labels, a) -> {
            String[] values = labels.toArray(String[]::new);
            desired.labelValues(values).set(a.desired);
            running.labelValues(values).set(a.running);
            eligible.labelValues(values).set(a.eligible);
            starting.labelValues(values).set(a.starting);
            hardLimited.labelValues(values).set(a.hardLimited ? 1 : 0);
            consecutiveFailures.labelValues(values).set(a.consecutiveFailures);
            backoffUntil.labelValues(values).set(a.backoffUntil);
            backoffUntilDeprecated.labelValues(values).set(a.backoffUntil);
            if (a.autoscale != null) {
                forecastClaims.labelValues(values).set(a.autoscale.claimsPerHour / 3600.0);
                forecastClaimsPerHour.labelValues(values).set(a.autoscale.claimsPerHour);
                buildSeconds.labelValues(values).set(a.autoscale.buildSeconds);
                expectedHitRatio.labelValues(values).set(a.autoscale.expectedHitRatio);
            } else {
                // not (or no longer) autoscaled, or its autoscaled version went inactive: no series, not a stale one
                forecastClaims.remove(values);
                forecastClaimsPerHour.remove(values);
                buildSeconds.remove(values);
                expectedHitRatio.remove(values);
            }
        });
        for (List<String> gone : shown) {
            if (!byLabels.containsKey(gone)) {
                String[] values = gone.toArray(String[]::new);
                for (Gauge g : List.of(desired, running, eligible, starting, hardLimited, consecutiveFailures, backoffUntil,
                        backoffUntilDeprecated, forecastClaims, forecastClaimsPerHour, buildSeconds, expectedHitRatio)) {
                    g.remove(values);
                }
                // A preset gone for good takes its counters and histograms along, so memory stays bounded as presets
                // come and go.
                for (Counter c : List.of(created, failed, claimed, claimMissed, claimFailed, unhealthy)) {
                    c.remove(values);
                }
                java.util.function.Function<List<String>, Boolean> ofPreset =
                        l -> l.get(0).equals(values[0]) && l.get(1).equals(values[1]);
                deleted.removeIf(ofPreset);
                claimDuration.removeIf(ofPreset);
                claimWait.removeIf(ofPreset);
                jobDuration.removeIf(ofPreset);
            }
        }
        shown.clear();
        shown.addAll(byLabels.keySet());
    }

    /** One preset version's values from one pass. */
    private record Sample(boolean active, int desired, int running, int eligible, int starting, boolean hardLimited,
                          int consecutiveFailures, double backoffUntil, Autoscaled autoscale, Instant seenAt) {

        static Sample of(PresetState s, Instant at) {
            return new Sample(s.active(), s.desired(), s.running().size(), s.eligible().size(), s.starting(),
                    s.failure().status() == PresetStatus.HARD_LIMITED, s.failure().consecutiveFailures(),
                    s.backoffUntil().map(i -> i.toEpochMilli() / 1000.0).orElse(0.0), Autoscaled.of(s.sizing()), at);
        }

        Sample seenAt(Instant at) {
            return new Sample(active, desired, running, eligible, starting, hardLimited, consecutiveFailures,
                    backoffUntil, autoscale, at);
        }
    }

    /** The autoscale gauges' values of one sizing, or {@code null} for a preset without one. */
    private record Autoscaled(double claimsPerHour, double buildSeconds, double expectedHitRatio) {

        static Autoscaled of(Sizing sizing) {
            if (sizing == null) {
                return null;
            }
            // λ = 0: no claim is expected, so none is expected to miss (the formula's 0 for a pool of 0 would page
            // someone every quiet night); see docs/decisions.md
            double ratio = sizing.claimsPerHour() == 0 ? 1.0 : sizing.expectedHitRate();
            return new Autoscaled(sizing.claimsPerHour(), seconds(sizing.buildTime()), ratio);
        }
    }

    /** The values of one label set: pool counts summed over versions, failure state of the active version. */
    private static final class Aggregate {
        int desired;
        int running;
        int eligible;
        int starting;
        boolean hardLimited;
        int consecutiveFailures;
        double backoffUntil;
        Autoscaled autoscale;

        void add(Sample s) {
            desired += s.desired;
            running += s.running;
            eligible += s.eligible;
            starting += s.starting;
            if (s.active) {
                hardLimited = s.hardLimited;
                consecutiveFailures = s.consecutiveFailures;
                backoffUntil = s.backoffUntil;
                autoscale = s.autoscale;
            }
        }
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).labelNames(PRESET_LABELS).withoutExemplars().register(registry);
    }

    private Gauge presetGauge(String name, String help) {
        return Gauge.builder().name(name).help(help).labelNames(PRESET_LABELS).withoutExemplars().register(registry);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
