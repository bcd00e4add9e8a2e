package io.warmpool.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The passes replicas ran, read from the record {@code run} logs after each pass when its output is not a
 * terminal: {@code <ts> INFO  reconcile  pass started=<startedAt> presets=… creates=… tookMs=<ms> pass=<id>}, or
 * {@code <ts> INFO  reconcile  pass skipped started=<at> reason=<why> pass=<id>}.
 *
 * <p>{@code startedAt} is read once the pass holds the reconciliation lock and {@code took} ends after the pass's
 * last write (both truncated to milliseconds, which keeps the order), so {@code [startedAt, startedAt + took]}
 * lies inside the lock hold: if the lock works, the intervals of all replicas never overlap.
 */
public final class PassLog {

    private static final Pattern RAN = Pattern.compile(
            "^\\S+ INFO  reconcile  pass started=(\\S+) presets=(\\d+) eligible=(\\d+)/(\\d+) creates=(\\d+) deletes=(\\d+)"
                    + " cancels=(\\d+) .* tookMs=(\\d+) pass=\\d+$");
    private static final Pattern SKIPPED = Pattern.compile("^\\S+ INFO  reconcile  pass skipped started=(\\S+) reason=(\\S+) .*$");

    /** A pass that ran. */
    public record Pass(String replica, Instant start, Instant end, int presets, int creates, int deletes) {
        public Duration duration() {
            return Duration.between(start, end);
        }

        @Override
        public String toString() {
            return replica + " [" + start + ", " + end + "] creates=" + creates + " deletes=" + deletes;
        }
    }

    /** Two passes of different replicas, or of one replica, whose intervals overlap. */
    public record Overlap(Pass first, Pass second) {
    }

    private final List<Pass> passes = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    /** Reads the passes of every start of every replica. */
    public static PassLog of(List<ServiceProcess> replicas) {
        PassLog log = new PassLog();
        for (ServiceProcess r : replicas) {
            log.add(r.name(), r.stderrLines());
        }
        log.passes.sort(Comparator.comparing(Pass::start).thenComparing(Pass::end));
        return log;
    }

    void add(String replica, List<String> lines) {
        for (String line : lines) {
            Matcher m = RAN.matcher(line);
            if (m.matches()) {
                Instant start = Instant.parse(m.group(1));
                passes.add(new Pass(replica, start, start.plusMillis(Long.parseLong(m.group(8))),
                        Integer.parseInt(m.group(2)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6))));
                continue;
            }
            Matcher s = SKIPPED.matcher(line);
            if (s.matches()) {
                skipped.add(replica + ": " + s.group(2));
            }
        }
    }

    /** Every pass that ran, by start. */
    public List<Pass> passes() {
        return List.copyOf(passes);
    }

    public long ranBy(String replica) {
        return passes.stream().filter(p -> p.replica().equals(replica)).count();
    }

    /** Passes skipped because another replica held the lock (evidence that they contended). */
    public long skippedLockedElsewhere() {
        return skipped.stream().filter(s -> s.endsWith("locked_elsewhere")).count();
    }

    /**
     * Every pair of passes whose intervals overlap ({@code second.start < first.end}); touching intervals (one ends
     * in the millisecond the next starts) do not overlap.
     */
    public List<Overlap> overlaps() {
        List<Overlap> out = new ArrayList<>();
        Pass latest = null; // the pass with the latest end so far
        for (Pass p : passes) {
            if (latest != null && p.start().isBefore(latest.end())) {
                out.add(new Overlap(latest, p));
            }
            if (latest == null || p.end().isAfter(latest.end())) {
                latest = p;
            }
        }
        return out;
    }

    /** The smallest gap between the end of a pass and the start of the next (of any replica). */
    public Duration smallestGap() {
        Duration min = null;
        for (int i = 1; i < passes.size(); i++) {
            Duration gap = Duration.between(passes.get(i - 1).end(), passes.get(i).start());
            if (min == null || gap.compareTo(min) < 0) {
                min = gap;
            }
        }
        return min == null ? Duration.ZERO : min;
    }

    /** Consecutive passes (by start) that ran on different replicas: how often the lock moved. */
    public long handovers() {
        long n = 0;
        for (int i = 1; i < passes.size(); i++) {
            if (!passes.get(i).replica().equals(passes.get(i - 1).replica())) {
                n++;
            }
        }
        return n;
    }
}
