package io.warmpool.bootstrap.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A self-contained SVG: per preset, eligible (solid) and desired (dashed) over time, backoff windows shaded,
 * missed claims as red ticks.
 */
final class SvgChart {

    private static final int WIDTH = 900;
    private static final int ROW = 140;
    private static final int LEFT = 60;
    private static final int TOP = 30;

    private SvgChart() {
    }

    static String render(Summary summary, Instant start, Instant end) {
        int rows = Math.max(summary.presets().size(), 1);
        int height = TOP + rows * ROW + 20;
        double span = Math.max(Duration.between(start, end).toMillis(), 1);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append("<text x=\"").append(LEFT).append("\" y=\"18\" font-size=\"13\">warmpool simulation ")
                .append(start).append(" → ").append(end)
                .append(" — eligible (blue), desired (grey dashed), backoff (red band), missed claims (red ticks)</text>\n");
        int row = 0;
        for (Summary.PresetSummary p : summary.presets()) {
            int y0 = TOP + row * ROW;
            int plotH = ROW - 40;
            int max = 1;
            for (Summary.Sample s : p.samples()) {
                max = Math.max(max, Math.max(s.eligible(), s.desired()));
            }
            double plotW = WIDTH - LEFT - 20;
            svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(y0 + 12).append("\" font-weight=\"bold\">")
                    .append(escape(p.preset())).append("</text>");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">hit rate %.1f%%, mean eligible %.2f, %d creates, %d failures</text>%n",
                    LEFT + 220, y0 + 12, p.hitRate() * 100, p.meanEligible(), p.creates(), p.failures()));
            int base = y0 + 20 + plotH;
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(base).append("\" x2=\"").append(WIDTH - 20)
                    .append("\" y2=\"").append(base).append("\" stroke=\"#999\"/>\n");
            svg.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(base - plotH + 4)
                    .append("\" text-anchor=\"end\">").append(max).append("</text><text x=\"").append(LEFT - 8)
                    .append("\" y=\"").append(base).append("\" text-anchor=\"end\">0</text>\n");
            for (Instant[] b : p.backoffs()) {
                double x1 = LEFT + plotW * Duration.between(start, b[0]).toMillis() / span;
                double x2 = LEFT + plotW * Math.min(Duration.between(start, b[1]).toMillis(), span) / span;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f4b6b6\" opacity=\"0.6\"/>%n",
                        x1, base - plotH, Math.max(x2 - x1, 0.5), plotH));
            }
            svg.append(path(p, start, span, plotW, plotH, base, max, true)).append(path(p, start, span, plotW, plotH, base, max, false));
            for (Instant m : p.misses()) {
                double x = LEFT + plotW * Duration.between(start, m).toMillis() / span;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d00\"/>%n", x, base, x, base + 8));
            }
            row++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String path(Summary.PresetSummary p, Instant start, double span, double plotW, int plotH, int base,
                               int max, boolean desired) {
        StringBuilder d = new StringBuilder();
        double lastY = -1;
        for (Summary.Sample s : p.samples()) {
            double x = LEFT + plotW * Duration.between(start, s.at()).toMillis() / span;
            double y = base - (double) plotH * (desired ? s.desired() : s.eligible()) / max;
            if (d.length() == 0) {
                d.append(String.format(Locale.ROOT, "M%.1f %.1f", x, y));
            } else {
                d.append(String.format(Locale.ROOT, " H%.1f V%.1f", x, y)); // a step chart
            }
            lastY = y;
        }
        if (d.length() == 0) {
            return "";
        }
        d.append(String.format(Locale.ROOT, " H%.1f V%.1f", LEFT + plotW, lastY));
        return "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + (desired ? "#888\" stroke-dasharray=\"4 3" : "#1f5fbf")
                + "\" stroke-width=\"1.5\"/>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
