package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The CLI's words for an AutoscaleView (API.md): why an autoscaled preset's desired count is what it is (SPEC R13),
 * compact enough for a line under the preset in {@code status} and beside {@code desired} in {@code plan}.
 */
final class Autoscaling {

    private Autoscaling() {
    }

    /**
     * For example {@code 60.00 claims/h forecast for Mon 09:00 Europe/Berlin from the last hour, T 5m (default),
     * load 5.00 → N 11, expected hit rate 99.17% (target 99.00%)}.
     *
     * @param a an AutoscaleView
     */
    static String explain(JsonNode a) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.2f claims/h forecast for %s %s %s",
                a.get("forecastClaimsPerHour").asDouble(), a.get("hourOfWeek").asText(), a.get("timezone").asText(),
                source(a)));
        sb.append(", T ").append(a.get("buildTime").asText()).append(a.get("buildTimeDefault").asBoolean()
                ? " (default)" : " (p90 of " + a.get("buildSamples").asInt() + ")");
        sb.append(String.format(Locale.ROOT, ", load %.2f → N %d", a.get("offeredLoad").asDouble(), a.get("needed").asInt()));
        if (a.get("cappedByMax").asBoolean()) {
            sb.append(" (max ").append(a.get("max").asInt()).append(" too small for the target)");
        }
        if (a.get("needed").asInt() < a.get("min").asInt()) {
            sb.append(", min ").append(a.get("min").asInt());
        }
        JsonNode floor = a.get("windowFloor");
        if (floor != null && !floor.isNull()) {
            sb.append(", window floor ").append(floor.asInt());
        }
        boolean quiet = a.get("forecastClaimsPerHour").asDouble() == 0 && a.get("desired").asInt() == 0;
        // An empty pool with no claim forecast: the formula's 0 % would read as "every claim misses"; none is expected.
        sb.append(String.format(Locale.ROOT, ", expected hit rate %s (target %s)",
                quiet ? "— (no claims forecast)" : percent(a.get("expectedHitRate").asDouble()),
                percent(a.get("targetHitRate").asDouble())));
        return sb.toString();
    }

    private static String source(JsonNode a) {
        String hours = a.get("historyHours").asText();
        String claims = a.get("historyClaims").asText();
        return switch (a.get("source").asText()) {
            case "hour_of_week" -> "from " + claims + " claims in " + hours + " past " + a.get("hourOfWeek").asText() + " hours";
            case "history_average" -> "from " + claims + " claims in " + hours + " hours of history";
            case "last_hour" -> "from the last hour";
            case "no_history" -> "with no history yet";
            default -> "from " + a.get("source").asText();
        };
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * ratio);
    }
}
