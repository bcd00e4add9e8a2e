package io.warmpool.bootstrap.simulate;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-preset outcome of a run: claims served and missed, hit rate, mean and minimum eligible (time-weighted
 * over the pass samples), idle prebuild-hours, creates, failures, time in backoff, and when it became hard-limited.
 * Measured from {@code from} (the run's start, or later to leave a warm-up out: {@code simulate --measure-from}) to
 * its end; samples, charts and backoffs before it are kept for the chart.
 */
record Summary(List<PresetSummary> presets, Duration simulated, long tasks, Instant from) {

    record PresetSummary(String preset, int claimsServed, int claimsMissed, double hitRate, double meanEligible,
                         int minEligible, double idlePrebuildHours, int creates, int failures, Duration timeInBackoff,
                         Instant hardLimitedAt, List<Sample> samples, List<Instant[]> backoffs, List<Instant> misses) {
    }

    /** Eligible and desired of a preset at a pass. */
    record Sample(Instant at, int eligible, int desired) {
    }

    static Summary of(Simulation.Result run) {
        return of(run, run.start());
    }

    /** The outcome measured over {@code [from, end]}. */
    static Summary of(Simulation.Result run, Instant from) {
        Map<String, Builder> byPreset = new TreeMap<>();
        for (PassReport pass : run.passes()) {
            for (PresetPlan plan : pass.plans()) {
                if (plan.state().active()) {
                    byPreset.computeIfAbsent(name(plan), Builder::new).samples
                            .add(new Sample(pass.startedAt(), plan.state().eligible().size(), plan.state().desired()));
                }
            }
        }
        for (Event e : run.events()) {
            Builder b = byPreset.computeIfAbsent(e.preset().template() + "/" + e.preset().preset(), Builder::new);
            boolean measured = !e.at().isBefore(from);
            if (!measured && e.type() != EventType.BACKOFF && e.type() != EventType.HARD_LIMITED) {
                continue;
            }
            switch (e.type()) {
                case CLAIM_SUCCEEDED -> b.served++;
                case CLAIM_MISSED -> {
                    b.missed++;
                    b.misses.add(e.at());
                }
                case CREATE_STARTED -> b.creates++;
                case CREATE_FAILED -> b.failures++;
                case BACKOFF -> b.backoffs.add(new Instant[] {e.at(), Instant.parse(e.details().get("until"))});
                case HARD_LIMITED -> {
                    if (b.hardLimitedAt == null) {
                        b.hardLimitedAt = e.at();
                    }
                }
                default -> { }
            }
        }
        List<PresetSummary> out = new ArrayList<>();
        byPreset.values().forEach(b -> out.add(b.build(from, run.end())));
        return new Summary(out, Duration.between(run.start(), run.end()), run.tasks(), from);
    }

    private static String name(PresetPlan plan) {
        return plan.id().template() + "/" + plan.id().preset();
    }

    private static final class Builder {
        final String preset;
        final List<Sample> samples = new ArrayList<>();
        final List<Instant[]> backoffs = new ArrayList<>();
        final List<Instant> misses = new ArrayList<>();
        int served;
        int missed;
        int creates;
        int failures;
        Instant hardLimitedAt;

        Builder(String preset) {
            this.preset = preset;
        }

        PresetSummary build(Instant from, Instant end) {
            double weighted = 0;
            long total = 0;
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                Instant next = i + 1 < samples.size() ? samples.get(i + 1).at() : end;
                if (!next.isAfter(from)) {
                    continue; // wholly before the measured span
                }
                Instant at = s.at().isBefore(from) ? from : s.at();
                long ms = Math.max(Duration.between(at, next).toMillis(), 0);
                weighted += (double) s.eligible() * ms;
                total += ms;
                min = Math.min(min, s.eligible());
            }
            min = min == Integer.MAX_VALUE ? 0 : min;
            double mean = total == 0 ? 0 : weighted / total;
            double idleHours = weighted / 3_600_000d;
            int claims = served + missed;
            return new PresetSummary(preset, served, missed, claims == 0 ? 1.0 : (double) served / claims, mean, min,
                    idleHours, creates, failures, backoffTime(end), hardLimitedAt, List.copyOf(samples),
                    List.copyOf(backoffs), List.copyOf(misses));
        }

        /** The union of the backoff windows, clipped to the end of the run. */
        private Duration backoffTime(Instant end) {
            List<Instant[]> sorted = new ArrayList<>(backoffs);
            sorted.sort((a, b) -> a[0].compareTo(b[0]));
            Duration sum = Duration.ZERO;
            Instant coveredUntil = Instant.MIN;
            for (Instant[] w : sorted) {
                Instant from = w[0].isAfter(coveredUntil) ? w[0] : coveredUntil;
                Instant to = w[1].isBefore(end) ? w[1] : end;
                if (to.isAfter(from)) {
                    sum = sum.plus(Duration.between(from, to));
                }
                if (to.isAfter(coveredUntil)) {
                    coveredUntil = to;
                }
            }
            return sum;
        }
    }

    static boolean isSpecType(EventType type) {
        return switch (type) {
            case CREATE_STARTED, CREATE_SUCCEEDED, CREATE_FAILED, BACKOFF, HARD_LIMITED, VALIDATION_FAILED,
                    DELETE_STARTED, DELETE_SUCCEEDED, EXPIRED, CLAIM_SUCCEEDED, CLAIM_MISSED,
                    CLAIM_FAILED /* only with a simulated claim transition (R12) */ -> true;
            default -> false;
        };
    }
}
