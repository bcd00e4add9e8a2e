package io.warmpool.domain.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a preset has measured for demand-driven sizing (SPEC R13), as the pass's snapshot reads it.
 *
 * @param since          when the preset was created: history starts there ({@code null} with {@link #NONE})
 * @param claimsByHour   claim arrivals (served and missed) per whole UTC hour: the key is the hour's first instant,
 *                       the value the arrivals in {@code [key, key + 1h)}; only hours that may intersect the preset's
 *                       lookback are present, hours without arrivals may be absent
 * @param claimsLastHour claim arrivals in {@code (now − 1h, now]} of the pass that read it
 * @param buildTimes     enqueue-to-ready times of the preset's last (at most {@value #MAX_BUILD_TIMES}) creates that
 *                       became ready, newest first
 */
public record DemandHistory(Instant since, NavigableMap<Instant, Integer> claimsByHour, int claimsLastHour,
                            List<Duration> buildTimes) {

    /** R13: the build time is the p90 of the last 50 creates that became ready. */
    public static final int MAX_BUILD_TIMES = 50;

    /** Nothing measured (a preset without autoscale, or no history read). */
    public static final DemandHistory NONE = new DemandHistory(null, new TreeMap<>(), 0, List.of());

    public DemandHistory {
        claimsByHour = Collections.unmodifiableNavigableMap(new TreeMap<>(Objects.requireNonNull(claimsByHour, "claimsByHour")));
        if (claimsLastHour < 0) {
            throw new IllegalArgumentException("claimsLastHour must not be negative, got " + claimsLastHour);
        }
        buildTimes = List.copyOf(buildTimes);
    }
}
