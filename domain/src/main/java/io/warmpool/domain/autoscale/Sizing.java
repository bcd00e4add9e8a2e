package io.warmpool.domain.autoscale;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.Durations;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A preset's demand-driven desired count at an instant (SPEC R13) and everything that explains it: what {@code plan},
 * {@code status}, the dashboard and the metrics show.
 *
 * <p>{@code desired = max(window instances, clamp(min, max, N))}, where {@code N} is the smallest pool size
 * {@code n ≥ 1} with {@code 1 − B(n, a) ≥ target} for the offered load {@code a = λ·T} ({@link ErlangB}), and
 * {@code N = 0} when {@code λ = 0}. The search for {@code N} stops at {@code max}, since clamping makes any larger
 * size irrelevant; {@link #cappedByMax()} says when {@code max} is too small to reach the target.
 *
 * <p>Pure and deterministic; computing one costs a sort of at most 50 build times, one timezone look-up per week of
 * lookback (and of {@code T}) and at most {@code 2·max(max, window instances)} steps of the Erlang recursion.
 *
 * @param autoscale       the policy it was computed for (target, min, max, lookback)
 * @param forecast        {@code λ} and where it came from
 * @param buildTime       {@code T}: the p90 build time, or {@link BuildTime#DEFAULT} without measurements
 * @param buildSamples    how many measured build times {@code T} came from (0: the default)
 * @param offeredLoad     {@code a = λ·T} in Erlangs ({@code T} in hours)
 * @param needed          {@code N}: the smallest size reaching the target, searched up to {@code max}; 0 when
 *                        {@code λ = 0}
 * @param cappedByMax     whether no size up to {@code max} reaches the target (then {@code needed = max})
 * @param windowInstances the instances of the schedule window holding at that instant (the floor), or {@code null}
 *                        when none holds
 * @param desired         {@code max(window instances, clamp(min, max, N))}
 * @param expectedHitRate {@code 1 − B(desired, a)}: the share of claims a pool of {@code desired} serves at the
 *                        forecast load — 0 when {@code desired} is 0, since a claim then always misses
 */
public record Sizing(Autoscale autoscale, Forecast forecast, Duration buildTime, int buildSamples, double offeredLoad,
                     int needed, boolean cappedByMax, Integer windowInstances, int desired, double expectedHitRate) {

    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    public Sizing {
        Objects.requireNonNull(autoscale, "autoscale");
        Objects.requireNonNull(forecast, "forecast");
        Objects.requireNonNull(buildTime, "buildTime");
    }

    /**
     * Sizes a preset whose policy has autoscale, at {@code now} (R13).
     *
     * @param policy the preset's policy; {@link PrebuildPolicy#autoscale()} must be set
     * @param demand what the preset has measured
     * @param now    the pass's instant
     * @throws IllegalArgumentException when the policy has no autoscale
     */
    public static Sizing of(PrebuildPolicy policy, DemandHistory demand, Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(now, "now");
        Autoscale autoscale = policy.autoscale();
        if (autoscale == null) {
            throw new IllegalArgumentException("the policy has no autoscale");
        }
        Duration buildTime = BuildTime.p90(demand.buildTimes());
        Forecast forecast = Forecast.of(demand, autoscale.lookback(), policy.schedule().zone(), now, buildTime);
        double load = forecast.claimsPerHour() * (buildTime.toMillis() / MILLIS_PER_HOUR);
        double target = autoscale.targetHitRate();
        int needed = 0;
        boolean capped = false;
        if (forecast.claimsPerHour() > 0) {
            needed = ErlangB.smallestPoolSize(load, target, autoscale.max());
            capped = 1 - ErlangB.blocking(needed, load) < target;
        }
        Integer window = policy.schedule().windowAt(now).map(ScheduleWindow::instances).orElse(null);
        int clamped = Math.min(autoscale.max(), Math.max(autoscale.min(), needed));
        int desired = window == null ? clamped : Math.max(window, clamped);
        return new Sizing(autoscale, forecast, buildTime, demand.buildTimes().size(), load, needed, capped, window,
                desired, 1 - ErlangB.blocking(desired, load));
    }

    /** {@code λ}: the forecast claims per hour. */
    public double claimsPerHour() {
        return forecast.claimsPerHour();
    }

    /** The forecast's zone as operators read it: an IANA name, {@code UTC} for UTC (not the JDK's {@code Z}). */
    public String zoneName() {
        String id = forecast.zone().getId();
        return id.equals("Z") ? "UTC" : id;
    }

    /** The hour of the week the forecast is for, in {@link Forecast#zone()}. */
    public HourOfWeek hourOfWeek() {
        return forecast.hourOfWeek();
    }

    /** Whether a holding schedule window, not the demand, decided {@link #desired()} (it is above the clamped N). */
    public boolean raisedByWindow() {
        return windowInstances != null && windowInstances > Math.min(autoscale.max(), Math.max(autoscale.min(), needed));
    }

    /**
     * One line for people, for example {@code 4.50 claims/h forecast for Mon 09:00 Europe/Berlin (hour-of-week
     * average of 2), build time 6m (p90 of 10), load 0.45, N 3 → desired 3 (min 0, max 20), expected hit rate 99.24%
     * (target 99.00%)}.
     */
    public String explain() {
        String from = switch (forecast.source()) {
            case NO_HISTORY -> "no history yet";
            case HOUR_OF_WEEK -> "hour-of-week average of " + forecast.hours();
            case HISTORY_AVERAGE -> "average of " + forecast.hours() + " whole hours";
            case LAST_HOUR -> "last 60 minutes";
        };
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%.2f claims/h forecast for %s %s (%s), build time %s (%s), load %.2f, N %d",
                claimsPerHour(), hourOfWeek(), zoneName(), from, Durations.format(buildTime),
                buildSamples == 0 ? "default" : "p90 of " + buildSamples, offeredLoad, needed));
        if (cappedByMax) {
            sb.append(" (max too small for the target)");
        }
        sb.append(" → desired ").append(desired).append(" (min ").append(autoscale.min()).append(", max ")
                .append(autoscale.max());
        if (windowInstances != null) {
            sb.append(", window floor ").append(windowInstances);
        }
        // An empty pool with no claim forecast: the formula's 0 % would read as "every claim misses"; none is expected.
        sb.append(forecast.claimsPerHour() == 0 && desired == 0
                ? String.format(Locale.ROOT, "), no claims forecast (target %.2f%%)", 100 * autoscale.targetHitRate())
                : String.format(Locale.ROOT, "), expected hit rate %.2f%% (target %.2f%%)", 100 * expectedHitRate,
                        100 * autoscale.targetHitRate()));
        return sb.toString();
    }
}
