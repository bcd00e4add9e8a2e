package io.warmpool.adapters.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    static final PresetId V1 = new PresetId("python-dev", "v1", "small");
    static final PresetId V2 = new PresetId("python-dev", "v2", "small");
    static final PresetId OTHER = new PresetId("go-dev", "v1", "large");

    static final List<String> SPEC_NAMES = List.of(
            "warmpool_prebuilt_workspaces_created_total",
            "warmpool_prebuilt_workspaces_failed_total",
            "warmpool_prebuilt_workspaces_claimed_total",
            "warmpool_prebuilt_workspaces_claim_missed_total",
            "warmpool_prebuilt_workspaces_desired",
            "warmpool_prebuilt_workspaces_running",
            "warmpool_prebuilt_workspaces_eligible",
            "warmpool_prebuilt_workspaces_starting",
            "warmpool_preset_hard_limited",
            "warmpool_preset_consecutive_failures",
            "warmpool_preset_backoff_until_seconds",
            "warmpool_reconciliation_paused",
            "warmpool_reconciliation_duration_seconds",
            "warmpool_claim_duration_seconds",
            "warmpool_provisioner_jobs_in_flight",
            "warmpool_provisioner_job_duration_seconds",
            // issue 18
            "warmpool_preset_backoff_until_timestamp_seconds",
            "warmpool_reconciliation_last_pass_timestamp_seconds",
            "warmpool_provisioner_jobs_pending",
            "warmpool_prebuilt_workspaces_deleted_total");

    final PrometheusMetrics metrics = new PrometheusMetrics(Duration.ofMinutes(10));

    static String scrape(PrometheusMetrics metrics) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.writeTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The value of the sample {@code name} whose labels include every {@code key="value"} given. */
    static OptionalDouble value(String text, String name, String... labels) {
        return text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> {
                    for (String label : labels) {
                        if (!l.contains(label)) {
                            return false;
                        }
                    }
                    return true;
                })
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst();
    }

    static PresetPlan plan(PresetId id, boolean active, int desired, int running, int eligible, int starting,
                           FailureState failure, Instant at) {
        List<Prebuild> runningList = new ArrayList<>();
        for (int i = 0; i < running; i++) {
            runningList.add(new Prebuild(new WorkspaceId(UUID.nameUUIDFromBytes((id + "/" + i).getBytes(StandardCharsets.UTF_8))),
                    at.minusSeconds(60)));
        }
        PresetState state = new PresetState(id, at, active, desired, runningList, List.of(),
                runningList.subList(0, eligible), List.of(), new InFlight(starting, 0, 0), failure);
        return new PresetPlan(state, List.of());
    }

    static PassReport pass(Instant at, PresetPlan... plans) {
        return new PassReport(at, null, List.of(plans), 0, 0, 0, Map.of(), Duration.ofMillis(250));
    }

    @Test
    void afterActivity_theScrapeHasEverySpecMetricName() {
        metrics.publish(List.of(
                Event.of(T0, EventType.CREATE_SUCCEEDED, V1, null),
                Event.of(T0, EventType.CREATE_FAILED, V1, null),
                Event.of(T0, EventType.CLAIM_SUCCEEDED, V1, null),
                Event.of(T0, EventType.CLAIM_MISSED, V1, null)));
        metrics.passFinished(pass(T0, plan(V1, true, 3, 2, 2, 1, FailureState.initial(), T0)));
        metrics.paused(true);
        metrics.claimFinished(V1, true, Duration.ofMillis(3));
        metrics.jobStarted(Transition.CREATE);
        metrics.jobFinished(V1, Transition.CREATE, "succeeded", Duration.ofSeconds(40));
        metrics.publish(List.of(Event.of(T0, EventType.DELETE_STARTED, V1, null).with("reason", "EXPIRED")));

        String text = scrape(metrics);

        for (String name : SPEC_NAMES) {
            assertThat(text).as(name).containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[{ ]");
        }
    }

    @Test
    void beforeAnyActivity_theUnlabelledMetricsAreAlreadyThere() {
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_reconciliation_paused")).hasValue(0);
        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(0);
        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"delete\"")).hasValue(0);
        assertThat(value(text, "warmpool_reconciliation_duration_seconds_count")).hasValue(0);
    }

    @Test
    void events_countByTemplateAndPreset_andOtherEventsAreIgnored() {
        metrics.publish(List.of(
                Event.of(T0, EventType.CREATE_SUCCEEDED, V1, null),
                Event.of(T0, EventType.CREATE_SUCCEEDED, V2, null),
                Event.of(T0, EventType.CREATE_SUCCEEDED, OTHER, null),
                Event.of(T0, EventType.CREATE_FAILED, OTHER, null),
                Event.of(T0, EventType.CLAIM_MISSED, OTHER, null),
                Event.of(T0, EventType.CLAIM_MISSED, OTHER, null),
                Event.of(T0, EventType.DELETE_SUCCEEDED, V1, null),
                Event.of(T0, EventType.BACKOFF, V1, null)));

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_prebuilt_workspaces_created_total", "template=\"python-dev\"", "preset=\"small\""))
                .hasValue(2);
        assertThat(value(text, "warmpool_prebuilt_workspaces_created_total", "template=\"go-dev\"")).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_failed_total", "template=\"go-dev\"")).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_failed_total", "template=\"python-dev\"")).isEmpty();
        assertThat(value(text, "warmpool_prebuilt_workspaces_claim_missed_total", "template=\"go-dev\"")).hasValue(2);
        assertThat(value(text, "warmpool_prebuilt_workspaces_claimed_total")).isEmpty();
    }

    @Test
    void claimHandoffFailures_countFromClaimFailedEvents_andFailedClaimsHaveTheirOwnDurationOutcome() {
        metrics.publish(List.of(
                Event.of(T0, EventType.CLAIM_FAILED, V1, null),
                Event.of(T0, EventType.CLAIM_FAILED, V2, null),
                Event.of(T0, EventType.CLAIM_SUCCEEDED, V1, null)));
        metrics.claimHandoffFailed(V1, java.time.Duration.ofSeconds(2));

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_prebuilt_workspaces_claim_failed_total", "template=\"python-dev\"", "preset=\"small\""))
                .as("both versions of one preset share a label set").hasValue(2);
        assertThat(value(text, "warmpool_prebuilt_workspaces_claimed_total", "template=\"python-dev\"")).hasValue(1);
        assertThat(value(text, "warmpool_claim_duration_seconds_count", "outcome=\"handoff_failed\"")).hasValue(1);
    }

    @Test
    void passGauges_sumPoolCountsOverVersions_andTakeFailureStateFromTheActiveVersion() {
        FailureState oldFailures = new FailureState(7, T0.minusSeconds(3600), T0.minusSeconds(3000), PresetStatus.HARD_LIMITED);
        Instant until = T0.plusSeconds(90);
        FailureState backingOff = new FailureState(2, T0.minusSeconds(30), until, PresetStatus.HEALTHY);

        metrics.passFinished(pass(T0,
                plan(V1, false, 0, 2, 0, 0, oldFailures, T0),
                plan(V2, true, 5, 3, 3, 1, backingOff, T0)));
        String text = scrape(metrics);

        String[] small = {"template=\"python-dev\"", "preset=\"small\""};
        assertThat(value(text, "warmpool_prebuilt_workspaces_desired", small)).hasValue(5);
        assertThat(value(text, "warmpool_prebuilt_workspaces_running", small)).hasValue(5);
        assertThat(value(text, "warmpool_prebuilt_workspaces_eligible", small)).hasValue(3);
        assertThat(value(text, "warmpool_prebuilt_workspaces_starting", small)).hasValue(1);
        assertThat(value(text, "warmpool_preset_hard_limited", small)).hasValue(0);
        assertThat(value(text, "warmpool_preset_consecutive_failures", small)).hasValue(2);
        assertThat(value(text, "warmpool_preset_backoff_until_seconds", small)).hasValue(until.getEpochSecond());
        assertThat(value(text, "warmpool_reconciliation_duration_seconds_count")).hasValue(1);
        assertThat(value(text, "warmpool_reconciliation_duration_seconds_sum")).hasValue(0.25);
    }

    @Test
    void aHardLimitedPresetOutOfBackoff_showsOneAndNoDeadline() {
        FailureState limited = new FailureState(3, T0.minusSeconds(600), T0.minusSeconds(1), PresetStatus.HARD_LIMITED);

        metrics.passFinished(pass(T0, plan(V2, true, 2, 0, 0, 0, limited, T0)));
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_preset_hard_limited", "preset=\"small\"")).hasValue(1);
        assertThat(value(text, "warmpool_preset_consecutive_failures", "preset=\"small\"")).hasValue(3);
        assertThat(value(text, "warmpool_preset_backoff_until_seconds", "preset=\"small\"")).hasValue(0);
    }

    @Test
    void aPassThatLeavesAPresetOut_keepsItsGauges_untilItHasNotBeenSeenForStaleAfter() {
        metrics.passFinished(pass(T0,
                plan(V2, true, 2, 2, 2, 0, FailureState.initial(), T0),
                plan(OTHER, true, 1, 1, 1, 0, FailureState.initial(), T0)));

        Instant nudge = T0.plusSeconds(5);
        metrics.passFinished(pass(nudge, plan(V2, true, 2, 1, 1, 1, FailureState.initial(), nudge)));
        assertThat(value(scrape(metrics), "warmpool_prebuilt_workspaces_desired", "template=\"go-dev\"")).hasValue(1);

        Instant later = T0.plus(Duration.ofMinutes(10)).plusMillis(1);
        metrics.passFinished(pass(later, plan(V2, true, 2, 2, 2, 0, FailureState.initial(), later)));
        String text = scrape(metrics);

        assertThat(text).doesNotContain("template=\"go-dev\"");
        assertThat(value(text, "warmpool_prebuilt_workspaces_desired", "template=\"python-dev\"")).hasValue(2);
    }

    @Test
    void aPresetWhosePlanningFailed_keepsItsLastGauges() {
        metrics.passFinished(pass(T0, plan(OTHER, true, 4, 1, 1, 0, FailureState.initial(), T0)));

        Instant later = T0.plus(Duration.ofMinutes(30));
        metrics.passFinished(new PassReport(later, null, List.of(), 0, 0, 0, Map.of(OTHER, "snapshot row broken"),
                Duration.ofMillis(1)));

        assertThat(value(scrape(metrics), "warmpool_prebuilt_workspaces_desired", "template=\"go-dev\"")).hasValue(4);
    }

    @Test
    void pausedGauge_followsTheLastReport() {
        metrics.paused(true);
        assertThat(value(scrape(metrics), "warmpool_reconciliation_paused")).hasValue(1);

        metrics.paused(false);
        assertThat(value(scrape(metrics), "warmpool_reconciliation_paused")).hasValue(0);
    }

    @Test
    void prunedEvents_areCounted_fromZero() {
        assertThat(value(scrape(metrics), "warmpool_events_pruned_total")).hasValue(0);

        metrics.eventsPruned(10_000);
        metrics.eventsPruned(25);

        assertThat(value(scrape(metrics), "warmpool_events_pruned_total")).hasValue(10_025);
    }

    @Test
    void claimDurations_areObservedByOutcome() {
        metrics.claimFinished(V1, true, Duration.ofMillis(2));
        metrics.claimFinished(V1, false, Duration.ofMillis(4));
        metrics.claimFinished(V1, false, Duration.ofMillis(6));
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_claim_duration_seconds_count", "outcome=\"hit\"")).hasValue(1);
        assertThat(value(text, "warmpool_claim_duration_seconds_count", "outcome=\"miss\"")).hasValue(2);
        assertThat(value(text, "warmpool_claim_duration_seconds_sum", "outcome=\"miss\"")).hasValue(0.01);
    }

    @Test
    void claimWaits_areObservedByPresetAndOutcome() {
        metrics.claimWaited(V1, "served", Duration.ofMillis(1500));
        metrics.claimWaited(V1, "timed_out", Duration.ofSeconds(120));
        metrics.claimWaited(V1, "timed_out", Duration.ofSeconds(60));
        String text = scrape(metrics);

        String template = "template=\"" + V1.template() + "\"";
        String preset = "preset=\"" + V1.preset() + "\"";
        assertThat(value(text, "warmpool_claim_wait_seconds_count", template, preset, "outcome=\"served\"")).hasValue(1);
        assertThat(value(text, "warmpool_claim_wait_seconds_sum", template, preset, "outcome=\"served\"")).hasValue(1.5);
        assertThat(value(text, "warmpool_claim_wait_seconds_count", template, preset, "outcome=\"timed_out\"")).hasValue(2);
        assertThat(value(text, "warmpool_claim_wait_seconds_sum", template, preset, "outcome=\"timed_out\"")).hasValue(180);
    }

    @Test
    void jobsInFlight_goUpAndDown_byKind_andJobDurationsAreObservedByKindAndOutcome() {
        metrics.jobStarted(Transition.CREATE);
        metrics.jobStarted(Transition.CREATE);
        metrics.jobStarted(Transition.DELETE);
        metrics.jobFinished(V1, Transition.CREATE, "failed", Duration.ofSeconds(12));
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(1);
        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"delete\"")).hasValue(1);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_count", "kind=\"create\"", "outcome=\"failed\""))
                .hasValue(1);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_sum", "kind=\"create\"", "outcome=\"failed\""))
                .hasValue(12);
    }

    @Test
    void aReapedJobReport_doesNotLowerInFlight_whileTheWorkersOwnLostReportDoes() {
        metrics.jobStarted(Transition.CREATE);

        metrics.jobFinished(V1, Transition.CREATE, "lost", Duration.ZERO);
        assertThat(value(scrape(metrics), "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(1);

        metrics.jobFinished(V1, Transition.CREATE, "lost", Duration.ofSeconds(70));
        String text = scrape(metrics);
        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(0);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_count", "outcome=\"lost\"")).hasValue(1);
    }

    @Test
    void anAcceptedJob_leavesInFlightAtOnce_andItsCallbackObservesTheWholeDurationWithoutMovingInFlight() {
        metrics.jobStarted(Transition.CREATE);
        metrics.jobStarted(Transition.CREATE);
        metrics.jobFinished(V1, Transition.CREATE, "accepted", Duration.ofMillis(300));
        assertThat(value(scrape(metrics), "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(1);

        metrics.awaitedJobFinished(V1, Transition.CREATE, "succeeded", Duration.ofMinutes(6));

        String text = scrape(metrics);
        assertThat(value(text, "warmpool_provisioner_jobs_in_flight", "kind=\"create\"")).hasValue(1);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_sum", "kind=\"create\"", "outcome=\"succeeded\""))
                .hasValue(360);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_count", "kind=\"create\"", "outcome=\"accepted\""))
                .hasValue(1);
    }

    @Test
    void inFlight_neverGoesBelowZero() {
        metrics.jobFinished(V1, Transition.DELETE, "succeeded", Duration.ofSeconds(1));

        assertThat(value(scrape(metrics), "warmpool_provisioner_jobs_in_flight", "kind=\"delete\"")).hasValue(0);
    }

    @Test
    void badInput_neverThrows() {
        assertThatCode(() -> {
            metrics.passFinished(null);
            metrics.publish(null);
            metrics.claimFinished(V1, true, null);
            metrics.jobStarted(null);
            metrics.jobFinished(V1, Transition.CREATE, null, Duration.ofSeconds(1));
            metrics.jobFinished(V1, Transition.CREATE, "failed", null);
        }).doesNotThrowAnyException();
    }

    @Test
    void givenJvmMetrics_thenTheHeapInUseAndItsMaximumAreScraped() {
        PrometheusMetrics withJvm = new PrometheusMetrics(Duration.ofMinutes(10)).withJvmMetrics();
        String text = scrape(withJvm);
        assertThat(value(text, "jvm_memory_used_bytes", "area=\"heap\"").orElseThrow()).isPositive();
        assertThat(value(text, "jvm_memory_max_bytes", "area=\"heap\"")).isPresent();
        assertThat(value(text, "warmpool_reconciliation_paused")).hasValue(0);
    }

    @Test
    void theScrapeIsThePrometheusTextFormat_withHelpAndTypeLines() {
        assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(scrape(metrics)).contains(
                "# HELP warmpool_reconciliation_paused 1 when reconciliation is paused, else 0.\n"
                        + "# TYPE warmpool_reconciliation_paused gauge\n"
                        + "warmpool_reconciliation_paused 0.0\n");
    }

    @Test
    void withoutJvmMetrics_noJvmSeries() {
        assertThat(scrape(metrics)).doesNotContain("jvm_memory_used_bytes");
    }
    // ---- R13: autoscale gauges ---------------------------------------------------------------------------------

    static final List<String> AUTOSCALE_NAMES = List.of("warmpool_autoscale_forecast_claims_per_hour",
            "warmpool_autoscale_build_seconds", "warmpool_autoscale_expected_hit_ratio");

    /** A sizing by the domain: {@code lastHour} claims in the last hour of a day's history, builds of 1…10 min. */
    static Sizing sizing(int lastHour, int min, Instant at) {
        List<Duration> builds = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(Duration::ofMinutes).toList();
        return Sizing.of(PrebuildPolicy.of(0).withAutoscale(new Autoscale(0.99, min, 50, Duration.ofDays(14))),
                new DemandHistory(at.minus(Duration.ofDays(1)), new java.util.TreeMap<>(), lastHour, builds), at);
    }

    /** An active autoscaled preset's plan at {@code at}: desired as sized. */
    static PresetPlan autoscaled(PresetId id, Sizing sizing, Instant at) {
        PresetState state = new PresetState(id, at, true, sizing.desired(), List.of(), List.of(), List.of(), List.of(),
                InFlight.NONE, FailureState.initial(), List.of(), null, null, sizing);
        return new PresetPlan(state, List.of());
    }

    static boolean hasAutoscaleSeries(String text, String template) {
        return AUTOSCALE_NAMES.stream().anyMatch(n -> value(text, n, "template=\"" + template + "\"").isPresent());
    }

    @Test
    void anAutoscaledPreset_hasItsForecastBuildTimeAndExpectedHitRatio_andOthersHaveNone() {
        // given λ = 60/h and T = p90 of 1…10 min = 9 min: a = 9 Erlangs
        Sizing sizing = sizing(60, 0, T0);

        metrics.passFinished(pass(T0, autoscaled(V2, sizing, T0), plan(OTHER, true, 1, 1, 1, 0, FailureState.initial(), T0)));
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_autoscale_forecast_claims_per_hour", "preset=\"small\"")).hasValue(60);
        assertThat(value(text, "warmpool_autoscale_build_seconds", "preset=\"small\"")).hasValue(540);
        assertThat(value(text, "warmpool_autoscale_expected_hit_ratio", "preset=\"small\""))
                .hasValue(sizing.expectedHitRate());
        assertThat(sizing.expectedHitRate()).isBetween(0.99, 1.0);
        // desired keeps its meaning: the preset's desired count, here autoscale's
        assertThat(value(text, "warmpool_prebuilt_workspaces_desired", "preset=\"small\"")).hasValue(sizing.desired());
        assertThat(hasAutoscaleSeries(text, "go-dev")).isFalse();
        assertThat(text).contains("# HELP warmpool_autoscale_expected_hit_ratio ");
    }

    @Test
    void withNoClaimForecast_theExpectedHitRatioIsOne_evenForAPoolOfNone() {
        Sizing quiet = sizing(0, 0, T0);
        assertThat(quiet.desired()).isZero();
        assertThat(quiet.expectedHitRate()).isZero(); // the formula's B(0, a) = 1, which the metric does not repeat

        metrics.passFinished(pass(T0, autoscaled(V2, quiet, T0)));
        String text = scrape(metrics);

        assertThat(value(text, "warmpool_autoscale_forecast_claims_per_hour", "preset=\"small\"")).hasValue(0);
        assertThat(value(text, "warmpool_autoscale_expected_hit_ratio", "preset=\"small\"")).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_desired", "preset=\"small\"")).hasValue(0);
    }

    @Test
    void theAutoscaleGauges_goAtTheFirstPassWithoutAutoscale_whenInactive_andWhenThePresetIsGone() {
        // autoscale dropped from the preset: the next pass removes the series, the other gauges stay
        metrics.passFinished(pass(T0, autoscaled(V2, sizing(60, 0, T0), T0)));
        assertThat(hasAutoscaleSeries(scrape(metrics), "python-dev")).isTrue();
        Instant t1 = T0.plusSeconds(5);
        metrics.passFinished(pass(t1, plan(V2, true, 3, 3, 3, 0, FailureState.initial(), t1)));
        String dropped = scrape(metrics);
        assertThat(hasAutoscaleSeries(dropped, "python-dev")).isFalse();
        assertThat(value(dropped, "warmpool_prebuilt_workspaces_desired", "preset=\"small\"")).hasValue(3);

        // autoscaled again, then its version inactive (no sizing then): removed
        Instant t2 = T0.plusSeconds(10);
        metrics.passFinished(pass(t2, autoscaled(V2, sizing(60, 0, t2), t2)));
        assertThat(hasAutoscaleSeries(scrape(metrics), "python-dev")).isTrue();
        Instant t3 = T0.plusSeconds(15);
        metrics.passFinished(pass(t3, plan(V2, false, 0, 2, 0, 0, FailureState.initial(), t3)));
        assertThat(hasAutoscaleSeries(scrape(metrics), "python-dev")).isFalse();

        // autoscaled again, then no pass reports it for staleAfter: gone with its other gauges
        Instant t4 = T0.plusSeconds(20);
        metrics.passFinished(pass(t4, autoscaled(V2, sizing(60, 0, t4), t4)));
        Instant later = t4.plus(Duration.ofMinutes(10)).plusMillis(1);
        metrics.passFinished(pass(later, plan(OTHER, true, 1, 1, 1, 0, FailureState.initial(), later)));
        String gone = scrape(metrics);
        assertThat(hasAutoscaleSeries(gone, "python-dev")).isFalse();
        assertThat(gone).doesNotContain("template=\"python-dev\"");
    }

    @Test
    void aNudgedPassForAnotherPreset_keepsTheAutoscaleGaugesOfTheOthers() {
        metrics.passFinished(pass(T0, autoscaled(V2, sizing(60, 0, T0), T0), plan(OTHER, true, 1, 1, 1, 0,
                FailureState.initial(), T0)));
        Instant nudge = T0.plusSeconds(3);
        metrics.passFinished(pass(nudge, plan(OTHER, true, 1, 0, 0, 1, FailureState.initial(), nudge)));

        assertThat(value(scrape(metrics), "warmpool_autoscale_forecast_claims_per_hour", "preset=\"small\"")).hasValue(60);
    }

    // ---- issue 18: preset labels, build info, last pass, queue depth, deletes by reason, timestamps ------------

    @Test
    void claimAndJobDurations_areObservedByTemplateAndPreset() {
        metrics.claimFinished(V1, true, Duration.ofMillis(4));
        metrics.claimFinished(OTHER, false, Duration.ofMillis(2));
        metrics.jobStarted(Transition.CREATE);
        metrics.jobFinished(OTHER, Transition.CREATE, "succeeded", Duration.ofSeconds(30));
        metrics.awaitedJobFinished(V2, Transition.DELETE, "succeeded", Duration.ofSeconds(5));

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_claim_duration_seconds_count", "template=\"python-dev\"", "preset=\"small\"",
                "outcome=\"hit\"")).hasValue(1);
        assertThat(value(text, "warmpool_claim_duration_seconds_count", "template=\"go-dev\"", "preset=\"large\"",
                "outcome=\"miss\"")).hasValue(1);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_sum", "template=\"go-dev\"", "preset=\"large\"",
                "kind=\"create\"", "outcome=\"succeeded\"")).hasValue(30);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_sum", "template=\"python-dev\"", "preset=\"small\"",
                "kind=\"delete\"", "outcome=\"succeeded\"")).hasValue(5);
    }

    @Test
    void deletes_areCountedByPresetAndLowercaseReason_fromDeleteStartedAndClaimFailedEvents() {
        metrics.publish(List.of(
                Event.of(T0, EventType.DELETE_STARTED, V1, null).with("reason", "EXPIRED"),
                Event.of(T0, EventType.DELETE_STARTED, V2, null).with("reason", "EXPIRED"),
                Event.of(T0, EventType.DELETE_STARTED, V1, null).with("reason", "RELEASED"),
                Event.of(T0, EventType.DELETE_STARTED, OTHER, null).with("reason", "FAILED_CLEANUP"),
                Event.of(T0, EventType.CLAIM_FAILED, OTHER, null),
                Event.of(T0, EventType.DELETE_SUCCEEDED, V1, null)));

        String text = scrape(metrics);

        String[] small = {"template=\"python-dev\"", "preset=\"small\""};
        assertThat(value(text, "warmpool_prebuilt_workspaces_deleted_total", "reason=\"expired\"", small[0], small[1])).hasValue(2);
        assertThat(value(text, "warmpool_prebuilt_workspaces_deleted_total", "reason=\"released\"", small[0], small[1])).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_deleted_total", "reason=\"failed_cleanup\"", "preset=\"large\"")).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_deleted_total", "reason=\"claim_failed\"", "preset=\"large\"")).hasValue(1);
        assertThat(text.lines().filter(l -> l.startsWith("warmpool_prebuilt_workspaces_deleted_total{"))).hasSize(4);
    }

    @Test
    void buildInfo_isOneWithTheVersionAndRevision() {
        metrics.withBuildInfo("0.1.0-SNAPSHOT", "1f8649ae379f");

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_build_info", "version=\"0.1.0-SNAPSHOT\"", "revision=\"1f8649ae379f\"")).hasValue(1);
        assertThat(text).contains("# TYPE warmpool_build_info gauge");
    }

    @Test
    void lastPassTimestamp_isZeroUntilAPassRan_thenWhenTheLastPassFinished() {
        assertThat(value(scrape(metrics), "warmpool_reconciliation_last_pass_timestamp_seconds")).hasValue(0);

        metrics.passFinished(pass(T0, plan(V1, true, 1, 1, 1, 0, FailureState.initial(), T0)));

        assertThat(value(scrape(metrics), "warmpool_reconciliation_last_pass_timestamp_seconds"))
                .hasValue(T0.getEpochSecond() + 0.25);
    }

    @Test
    void pendingJobs_areTheLastCountByKind() {
        assertThat(value(scrape(metrics), "warmpool_provisioner_jobs_pending", "kind=\"create\"")).hasValue(0);

        metrics.pendingJobs(Map.of(Transition.CREATE, 12, Transition.DELETE, 3));
        metrics.pendingJobs(Map.of(Transition.CREATE, 7, Transition.DELETE, 0));

        String text = scrape(metrics);
        assertThat(value(text, "warmpool_provisioner_jobs_pending", "kind=\"create\"")).hasValue(7);
        assertThat(value(text, "warmpool_provisioner_jobs_pending", "kind=\"delete\"")).hasValue(0);
    }

    @Test
    void theBackoffDeadline_isATimestampSecondsGauge_andItsOldNameShowsTheSameValueForOneRelease() {
        Instant until = T0.plusMillis(90_500);
        metrics.passFinished(pass(T0, plan(V1, true, 2, 0, 0, 0,
                new FailureState(1, T0, until, PresetStatus.HEALTHY), T0)));

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_preset_backoff_until_timestamp_seconds", "preset=\"small\"")).hasValue(T0.getEpochSecond() + 90.5);
        assertThat(value(text, "warmpool_preset_backoff_until_seconds", "preset=\"small\"")).hasValue(T0.getEpochSecond() + 90.5);
        assertThat(text).contains("# HELP warmpool_preset_backoff_until_seconds DEPRECATED");
    }

    @Test
    void theClaimForecast_isPerSecond_andItsOldPerHourNameStaysForOneRelease() {
        metrics.passFinished(pass(T0, autoscaled(V2, sizing(60, 0, T0), T0)));

        String text = scrape(metrics);

        assertThat(value(text, "warmpool_autoscale_forecast_claims_per_second", "preset=\"small\"")).hasValue(60 / 3600.0);
        assertThat(value(text, "warmpool_autoscale_forecast_claims_per_hour", "preset=\"small\"")).hasValue(60);
    }

    @Test
    void aPresetGoneForStaleAfter_takesItsHistogramsAndDeleteCountsAlong_andOthersKeepTheirs() {
        metrics.passFinished(pass(T0, plan(V1, true, 1, 1, 1, 0, FailureState.initial(), T0),
                plan(OTHER, true, 1, 1, 1, 0, FailureState.initial(), T0)));
        for (PresetId id : List.of(V1, OTHER)) {
            metrics.claimFinished(id, true, Duration.ofMillis(1));
            metrics.jobStarted(Transition.CREATE);
            metrics.jobFinished(id, Transition.CREATE, "succeeded", Duration.ofSeconds(1));
            metrics.publish(List.of(Event.of(T0, EventType.DELETE_STARTED, id, null).with("reason", "EXTRANEOUS")));
        }

        Instant later = T0.plus(Duration.ofMinutes(10)).plusMillis(1);
        metrics.passFinished(pass(later, plan(OTHER, true, 1, 1, 1, 0, FailureState.initial(), later)));
        String text = scrape(metrics);

        assertThat(text).doesNotContain("template=\"python-dev\"");
        assertThat(value(text, "warmpool_claim_duration_seconds_count", "template=\"go-dev\"")).hasValue(1);
        assertThat(value(text, "warmpool_provisioner_job_duration_seconds_count", "template=\"go-dev\"")).hasValue(1);
        assertThat(value(text, "warmpool_prebuilt_workspaces_deleted_total", "template=\"go-dev\"")).hasValue(1);
    }
}
