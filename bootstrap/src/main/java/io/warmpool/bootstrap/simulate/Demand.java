package io.warmpool.bootstrap.simulate;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The claim arrivals a scenario describes for one preset (SPEC §5 Simulator): the sum of independent Poisson
 * {@link Window windows}, each with its own rate, hours, weekdays, timezone and optional validity
 * {@code [from, until)}; {@link Burst bursts} of a number of claims at a local time of day, spread uniformly over a
 * short interval; and a {@link Step level} that multiplies every rate and burst from an instant on.
 *
 * <p>Deterministic under the seed: window {@code i} and burst {@code j} each draw from a stream of their own,
 * seeded by the seed, the preset's name and their position, so editing one window or burst moves no arrival of
 * another, nor of another preset. The first window's stream is the one a single-window scenario has always used,
 * and without {@code scale} nothing extra is drawn from it: scenarios of the single-window form give the same
 * arrivals as before windows, bursts and levels existed.
 */
record Demand(List<Window> windows, List<Burst> bursts, List<Step> scale) {

    Demand {
        windows = List.copyOf(windows);
        bursts = List.copyOf(bursts);
        scale = scale.stream().sorted(Comparator.comparing(Step::from)).toList();
    }

    /**
     * Poisson arrivals at {@code perHour} per hour during the local hours {@code fromHour}…{@code toHour}
     * (inclusive, whole hours) on the given ISO weekdays (1 = Monday) in {@code zone}, and only in
     * {@code [from, until)} where those are given ({@code null}: unbounded).
     */
    record Window(double perHour, int fromHour, int toHour, Set<Integer> weekdays, ZoneId zone, Instant from,
                  Instant until) {
        boolean open(Instant t) {
            if ((from != null && t.isBefore(from)) || (until != null && !t.isBefore(until))) {
                return false;
            }
            var local = t.atZone(zone);
            int h = local.getHour();
            return h >= fromHour && h <= toHour && weekdays.contains(local.getDayOfWeek().getValue());
        }
    }

    /**
     * {@code claims} claims every matching day at the local time {@code at} in {@code zone}, each at a uniformly
     * drawn instant of {@code [at, at + within)}; on the given ISO weekdays, and only for bursts whose {@code at}
     * lies in {@code [from, until)} where those are given.
     */
    record Burst(LocalTime at, int claims, Duration within, Set<Integer> weekdays, ZoneId zone, Instant from,
                 Instant until) {
    }

    /** From {@code from} on (until the next step), every window's rate and every burst's claims are × {@code factor}. */
    record Step(Instant from, double factor) {
    }

    /** Whether any claim can arrive at all (a window with a rate or a burst with claims). */
    boolean any() {
        return windows.stream().anyMatch(w -> w.perHour() > 0) || bursts.stream().anyMatch(b -> b.claims() > 0);
    }

    /** The level at {@code t}: the factor of the last step at or before it, 1 before the first. */
    double factorAt(Instant t) {
        double f = 1;
        for (Step s : scale) {
            if (s.from().isAfter(t)) {
                break;
            }
            f = s.factor();
        }
        return f;
    }

    /**
     * Every arrival in {@code [start, end)}, in order of time (ties: windows in their order, then bursts).
     *
     * @param key the stream key, the preset's {@code template/preset} name
     */
    List<Instant> arrivals(String key, long seed, Instant start, Instant end) {
        long base = seed * 31 + key.hashCode();
        double maxFactor = 1;
        for (Step s : scale) {
            maxFactor = Math.max(maxFactor, s.factor());
        }
        List<Instant> all = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            if (w.perHour() <= 0) {
                continue;
            }
            Random random = new Random(base + i * 0x9E3779B97F4A7C15L);
            // With levels: arrivals at the highest level, each kept with probability level(t) / highest (thinning).
            double meanMillis = 3_600_000d / (w.perHour() * maxFactor);
            Instant t = start;
            while (true) {
                t = t.plusMillis(Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * meanMillis)));
                if (!t.isBefore(end)) {
                    break;
                }
                if (!w.open(t)) {
                    continue;
                }
                if (!scale.isEmpty() && random.nextDouble() * maxFactor >= factorAt(t)) {
                    continue;
                }
                all.add(t);
            }
        }
        for (int j = 0; j < bursts.size(); j++) {
            Burst b = bursts.get(j);
            Random random = new Random(base - (j + 1) * 0xC2B2AE3D27D4EB4FL);
            long withinMillis = b.within().toMillis();
            LocalDate last = end.atZone(b.zone()).toLocalDate();
            for (LocalDate day = start.atZone(b.zone()).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
                if (!b.weekdays().contains(day.getDayOfWeek().getValue())) {
                    continue;
                }
                Instant at = ZonedDateTime.of(day, b.at(), b.zone()).toInstant();
                if ((b.from() != null && at.isBefore(b.from())) || (b.until() != null && !at.isBefore(b.until()))) {
                    continue;
                }
                long count = scale.isEmpty() ? b.claims() : Math.round(b.claims() * factorAt(at));
                for (long k = 0; k < count; k++) {
                    Instant t = at.plusMillis((long) Math.floor(random.nextDouble() * withinMillis));
                    if (!t.isBefore(start) && t.isBefore(end)) {
                        all.add(t);
                    }
                }
            }
        }
        all.sort(Comparator.naturalOrder()); // stable: ties keep windows before bursts
        return all;
    }
}
