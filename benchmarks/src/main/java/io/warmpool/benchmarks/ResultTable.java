package io.warmpool.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table the suite prints: one row per target, with its baseline and the ratio of ours to it. */
public final class ResultTable {

    /** How a measured figure is judged against its target. */
    public enum Kind {
        /** measured ≥ target (absolute, e.g. presets/s). */
        AT_LEAST,
        /** measured ≤ target (absolute, e.g. ms). */
        AT_MOST,
        /** measured / baseline ≥ target. */
        RATIO_AT_LEAST,
        /** measured / baseline ≤ target (e.g. time vs COPY). */
        RATIO_AT_MOST,
        /** recorded, no target. */
        INFO
    }

    /** One row; {@code baseline} is NaN when there is none. */
    public record Row(String name, Kind kind, double target, double measured, double baseline, String unit) {
        public double ratio() {
            return Double.isNaN(baseline) || baseline == 0 ? Double.NaN : measured / baseline;
        }

        public String verdict() {
            return switch (kind) {
                case AT_LEAST -> measured >= target ? "met" : "MISSED";
                case AT_MOST -> measured <= target ? "met" : "MISSED";
                case RATIO_AT_LEAST -> Double.isNaN(ratio()) ? "n/a" : ratio() >= target ? "met" : "MISSED";
                case RATIO_AT_MOST -> Double.isNaN(ratio()) ? "n/a" : ratio() <= target ? "met" : "MISSED";
                case INFO -> "";
            };
        }

        public String targetText() {
            return switch (kind) {
                case AT_LEAST -> "≥ " + number(target) + " " + unit;
                case AT_MOST -> "≤ " + number(target) + " " + unit;
                case RATIO_AT_LEAST -> "≥ " + number(target) + "× baseline";
                case RATIO_AT_MOST -> "≤ " + number(target) + "× baseline";
                case INFO -> "";
            };
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public synchronized void add(Row row) {
        rows.add(row);
    }

    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** A Markdown table, also readable on a terminal. */
    public synchronized String render() {
        StringBuilder out = new StringBuilder();
        out.append("| benchmark | target | measured | baseline | ratio | verdict |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            out.append("| ").append(r.name())
                    .append(" | ").append(r.targetText())
                    .append(" | ").append(number(r.measured())).append(' ').append(r.unit())
                    .append(" | ").append(Double.isNaN(r.baseline()) ? "—" : number(r.baseline()) + " " + r.unit())
                    .append(" | ").append(Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f×", r.ratio()))
                    .append(" | ").append(r.verdict())
                    .append(" |\n");
        }
        return out.toString();
    }

    /** Three significant figures, thousands separated: 1,234,000 / 12.3 / 0.0123. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "—";
        }
        double abs = Math.abs(value);
        if (abs < 1000 && value == Math.rint(value)) {
            return Long.toString((long) value);
        }
        if (abs >= 1000) {
            double scale = Math.pow(10, Math.floor(Math.log10(abs)) - 2);
            return String.format(Locale.ROOT, "%,d", Math.round(Math.round(value / scale) * scale));
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
