package io.warmpool.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The CLI's sentence for an AutoscaleView at a quiet hour: no claim forecast, an empty pool. */
class AutoscalingTest {

    private static ObjectNode view(double forecast, int desired, double expectedHitRate) {
        ObjectNode a = new ObjectMapper().createObjectNode();
        a.put("forecastClaimsPerHour", forecast).put("hourOfWeek", "Sun 03:00").put("timezone", "UTC")
                .put("source", "hour_of_week").put("historyClaims", 0).put("historyHours", 2)
                .put("buildTime", "5m").put("buildTimeDefault", true).put("buildSamples", 0)
                .put("offeredLoad", forecast / 12).put("needed", desired).put("cappedByMax", false).put("min", 0)
                .put("max", 20).putNull("windowFloor");
        a.put("desired", desired).put("expectedHitRate", expectedHitRate).put("targetHitRate", 0.99);
        return a;
    }

    @Test
    void anEmptyPoolWithNothingForecast_isNotShownAsAZeroHitRate() {
        assertThat(Autoscaling.explain(view(0, 0, 0)))
                .endsWith("load 0.00 → N 0, expected hit rate — (no claims forecast) (target 99.00%)")
                .doesNotContain("0.00%,");
        assertThat(Autoscaling.explain(view(12, 2, 0.92))).endsWith("expected hit rate 92.00% (target 99.00%)");
    }
}
