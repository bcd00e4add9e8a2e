package io.warmpool.benchmarks;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads figures out of what the warmpool process and the JVM print: Prometheus text, GC log, simulate's JSON. */
final class ProcessOutputs {

    private ProcessOutputs() {
    }

    /** The value of the Prometheus sample {@code name} whose labels include each {@code key="value"} given. */
    static OptionalDouble prometheus(String text, String name, String... labels) {
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

    private static final Pattern GC_PAUSE = Pattern.compile("GC\\(\\d+\\) Pause .* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /**
     * The largest heap in use right after a collection, in bytes, from a unified GC log ({@code -Xlog:gc}): lines
     * like {@code [3.1s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->38M(256M) 4.1ms}. What
     * survives a collection is what the service really holds, so its maximum is the peak live heap.
     */
    static OptionalLong largestHeapAfterGc(String gcLog) {
        long max = -1;
        Matcher m = GC_PAUSE.matcher(gcLog);
        while (m.find()) {
            max = Math.max(max, bytes(Long.parseLong(m.group(3)), m.group(4)));
        }
        return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
    }

    private static final Pattern FULL_GC = Pattern.compile("GC\\(\\d+\\) Pause Full .* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /**
     * The heap in use right after the last full collection of a unified GC log, in bytes: after
     * {@code jcmd <pid> GC.run} that is everything the process really holds, read at the instant it was measured.
     */
    static OptionalLong heapAfterLastFullGc(String gcLog) {
        long last = -1;
        Matcher m = FULL_GC.matcher(gcLog);
        while (m.find()) {
            last = bytes(Long.parseLong(m.group(3)), m.group(4));
        }
        return last < 0 ? OptionalLong.empty() : OptionalLong.of(last);
    }

    /** How many GC pauses the log shows that were full collections ({@code Pause Full}). */
    static int fullCollections(String gcLog) {
        return (int) gcLog.lines().filter(l -> l.contains("Pause Full")).count();
    }

    private static long bytes(long n, String unit) {
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    private static final Pattern WALL = Pattern.compile("\"wallMillis\"\\s*:\\s*(\\d+)");
    private static final Pattern SIMULATED = Pattern.compile("\"simulated\"\\s*:\\s*\"([^\"]+)\"");

    /** {@code simulate --output json}'s own measure of the run (after the JVM started, before it printed). */
    static OptionalLong simulateWallMillis(String json) {
        Matcher m = WALL.matcher(json);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** {@code simulate --output json}'s simulated length, e.g. {@code 1d}. */
    static String simulated(String json) {
        Matcher m = SIMULATED.matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** The number of presets in a {@code simulate --output json} summary. */
    static int simulatePresets(String json) {
        return (int) Pattern.compile("\"preset\"\\s*:").matcher(json).results().count();
    }
}
