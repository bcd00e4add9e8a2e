package io.warmpool.benchmarks;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The record {@code warmpool run} logs after each pass when its output is not a terminal, e.g.
 * {@code 2026-11-27T03:42:44.984Z INFO  reconcile  pass started=2026-11-27T03:42:42.805Z presets=10000
 * eligible=220/20000 creates=20000 deletes=0 cancels=0 backoff=0 limited=0 failed=0 errors=0 tookMs=2179 pass=1}. It
 * is logged once the pass has run and the pools were read back, so its arrival is the benchmarks' "pass done" signal.
 */
record PassLine(int presets, int eligible, int desired, int creates, long tookMillis) {

    private static final Pattern LINE = Pattern.compile(
            " pass started=\\S+ presets=(\\d+) eligible=(\\d+)/(\\d+) creates=(\\d+) .* tookMs=(\\d+)");

    /** The pass line's figures; empty for any other line (a skipped pass included). */
    static Optional<PassLine> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new PassLine(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Long.parseLong(m.group(5))));
    }

    /** Every preset's pool holds its desired number of ready prebuilds. */
    boolean full() {
        return desired > 0 && eligible == desired;
    }
}
