package io.warmpool.domain;

import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * The prebuild policy of a preset: the pool size, an optional time to live and optional schedule windows.
 * It may change in place on an existing version (SPEC "Presets and versions"); that is not a resume.
 *
 * @param instances desired pool size outside every schedule window, 0…{@value #MAX_INSTANCES}
 * @param ttl       time to live of a prebuild; {@link Duration#ZERO} means prebuilds never expire
 * @param schedule  schedule windows evaluated in the schedule's timezone; {@link PrebuildSchedule#none()} for none
 * @param readiness R10 readiness, or {@code null}: ready as soon as the create succeeds
 * @param health    R11 liveness checks of idle prebuilds, or {@code null}: none
 * @param autoscale R13 demand-driven sizing, or {@code null}: {@code instances} and the schedule decide
 */
public record PrebuildPolicy(int instances, Duration ttl, PrebuildSchedule schedule, Readiness readiness,
                             Liveness health, Autoscale autoscale) {

    public static final int MAX_INSTANCES = 1000;
    /**
     * Ten years: far beyond any useful TTL, and far from the overflow of {@code now − ttl}. Presets files are
     * validated against it; a policy read back from storage is taken as stored.
     */
    public static final Duration MAX_TTL = Duration.ofDays(3650);

    public PrebuildPolicy {
        if (instances < 0 || instances > MAX_INSTANCES) {
            throw new IllegalArgumentException("instances must be between 0 and " + MAX_INSTANCES + ", got " + instances);
        }
        ttl = ttl == null ? Duration.ZERO : ttl;
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative, got " + ttl);
        }
        schedule = schedule == null ? PrebuildSchedule.none() : schedule;
    }

    /** A policy without autoscale. */
    public PrebuildPolicy(int instances, Duration ttl, PrebuildSchedule schedule, Readiness readiness, Liveness health) {
        this(instances, ttl, schedule, readiness, health, null);
    }

    /** A policy without readiness or liveness checks (today's behaviour). */
    public PrebuildPolicy(int instances, Duration ttl, PrebuildSchedule schedule) {
        this(instances, ttl, schedule, null, null);
    }

    /** This policy with readiness and liveness as given (either may be {@code null}). */
    public PrebuildPolicy withChecks(Readiness readiness, Liveness health) {
        return new PrebuildPolicy(instances, ttl, schedule, readiness, health, autoscale);
    }

    /** This policy with autoscale as given ({@code null} for none). */
    public PrebuildPolicy withAutoscale(Autoscale autoscale) {
        return new PrebuildPolicy(instances, ttl, schedule, readiness, health, autoscale);
    }

    /** A policy of {@code instances} with no TTL and no schedule. */
    public static PrebuildPolicy of(int instances) {
        return new PrebuildPolicy(instances, Duration.ZERO, PrebuildSchedule.none());
    }

    /** The desired pool size at {@code now} for an active preset: the containing window's instances, else {@link #instances()} (R1). */
    public int instancesAt(Instant now) {
        Objects.requireNonNull(now, "now");
        if (schedule.windows().isEmpty()) {
            return instances;
        }
        return schedule.windowAt(now).map(ScheduleWindow::instances).orElse(instances);
    }

    /**
     * The desired pool size hour by hour on a local date of the schedule's zone, for an active preset: runs of
     * hours with the covering window's instances, else {@link #instances()} (R1, as {@link #instancesAt}).
     *
     * @param date a date in the schedule's zone
     * @return spans covering hours 0 to 24 without gaps, in order
     */
    public List<DesiredSpan> desiredOn(LocalDate date) {
        return schedule.spansOn(date).stream()
                .map(s -> new DesiredSpan(s.fromHour(), s.toHour(),
                        s.window() == null ? instances : s.window().instances(),
                        s.window() == null ? null : s.window().cron().expression()))
                .toList();
    }

    /**
     * Local hours {@code [fromHour, toHour)} and the desired pool size in them.
     *
     * @param cron the covering window's expression, or {@code null} for the default size
     */
    public record DesiredSpan(int fromHour, int toHour, int instances, String cron) {
    }
}
