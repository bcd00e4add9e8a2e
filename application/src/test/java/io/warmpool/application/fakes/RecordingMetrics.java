package io.warmpool.application.fakes;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps every measurement. Thread-safe. */
public final class RecordingMetrics implements MetricsPort {

    public record Claim(PresetId preset, boolean hit, Duration duration) {
    }

    public record JobFinished(Transition transition, String outcome, Duration duration) {
    }

    private final List<PresetId> jobPresets = new ArrayList<>();
    private final List<java.util.Map<Transition, Integer>> pendingJobs = new ArrayList<>();

    @Override
    public synchronized void pendingJobs(java.util.Map<Transition, Integer> pending) {
        pendingJobs.add(java.util.Map.copyOf(pending));
    }

    /** Every {@link #pendingJobs} report, in order. */
    public synchronized List<java.util.Map<Transition, Integer>> pendingJobs() {
        return List.copyOf(pendingJobs);
    }

    /** The preset of every {@link #jobFinished}, in order. */
    public synchronized List<PresetId> jobPresets() {
        return List.copyOf(jobPresets);
    }

    private final List<PassReport> passes = new ArrayList<>();
    private final List<Boolean> paused = new ArrayList<>();
    private final List<Claim> claims = new ArrayList<>();
    private final List<Transition> jobsStarted = new ArrayList<>();
    private final List<JobFinished> jobsFinished = new ArrayList<>();
    private final List<Long> eventsPruned = new ArrayList<>();
    private final List<String> claimWaits = new ArrayList<>();
    private final List<PresetId> unhealthy = new ArrayList<>();

    @Override
    public synchronized void prebuildUnhealthy(PresetId preset) {
        unhealthy.add(preset);
    }

    public synchronized List<PresetId> unhealthy() {
        return List.copyOf(unhealthy);
    }

    /** Records {@code preset outcome}, e.g. {@code python-dev@v1/small served}. */
    @Override
    public synchronized void claimWaited(PresetId preset, String outcome, Duration waited) {
        claimWaits.add(preset + " " + outcome);
    }

    /** Every {@link #claimWaited} as {@code preset outcome}, in order. */
    public synchronized List<String> claimWaits() {
        return List.copyOf(claimWaits);
    }

    @Override
    public synchronized void passFinished(PassReport report) {
        passes.add(report);
    }

    @Override
    public synchronized void eventsPruned(long count) {
        eventsPruned.add(count);
    }

    /** Every {@link #eventsPruned} count, in order. */
    public synchronized List<Long> eventsPruned() {
        return List.copyOf(eventsPruned);
    }

    @Override
    public synchronized void paused(boolean value) {
        paused.add(value);
    }

    @Override
    public synchronized void claimFinished(PresetId preset, boolean hit, Duration duration) {
        claims.add(new Claim(preset, hit, duration));
    }

    @Override
    public synchronized void jobStarted(Transition transition) {
        jobsStarted.add(transition);
    }

    @Override
    public synchronized void jobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
        jobPresets.add(preset);
        jobsFinished.add(new JobFinished(transition, outcome, duration));
    }

    public synchronized List<PassReport> passes() {
        return List.copyOf(passes);
    }

    public synchronized List<Boolean> paused() {
        return List.copyOf(paused);
    }

    public synchronized List<Claim> claims() {
        return List.copyOf(claims);
    }

    public synchronized List<Transition> jobsStarted() {
        return List.copyOf(jobsStarted);
    }

    public synchronized List<JobFinished> jobsFinished() {
        return List.copyOf(jobsFinished);
    }

    private final List<JobFinished> awaitedJobsFinished = new java.util.ArrayList<>();

    @Override
    public synchronized void awaitedJobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
        awaitedJobsFinished.add(new JobFinished(transition, outcome, duration));
    }

    /** Builds that awaited a callback and ended (by it, or at the deadline). */
    public synchronized List<JobFinished> awaitedJobsFinished() {
        return List.copyOf(awaitedJobsFinished);
    }
}
