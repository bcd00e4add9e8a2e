package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/prometheus/alerts.yaml}: valid rules ({@code promtool check rules}) whose unit tests
 * ({@code promtool test rules alerts_test.yaml}) pass, and those tests show every alert both firing and not firing.
 * (That every metric the rules use exists is {@link MetricsExpositionEndToEndTest}'s.)
 */
class PrometheusRulesTest {

    private static final Path DIR = Promtool.deploy().resolve("prometheus");

    @Test
    void theAlertRules_passPromtoolCheckRules() throws Exception {
        Promtool.Run run = Promtool.run(DIR, null, "check", "rules", "alerts.yaml");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void theAlertRules_passTheirUnitTests() throws Exception {
        Promtool.Run run = Promtool.run(DIR, null, "test", "rules", "alerts_test.yaml");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void everyAlert_isTestedFiringAndNotFiring() throws Exception {
        String rules = Files.readString(DIR.resolve("alerts.yaml"));
        String tests = Files.readString(DIR.resolve("alerts_test.yaml"));
        List<String> alerts = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\w+)$").matcher(rules);
        while (m.find()) {
            alerts.add(m.group(1));
        }

        assertThat(alerts).containsExactlyInAnyOrder("WarmpoolPresetHardLimited", "WarmpoolPoolEmptyWhileClaimsMiss",
                "WarmpoolReconciliationStalled", "WarmpoolProvisionerUnavailable");
        for (String alert : alerts) {
            assertThat(tests).as(alert + " fires in a test")
                    .containsPattern("alertname: " + alert + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:");
            assertThat(tests).as(alert + " stays quiet in a test")
                    .containsPattern("alertname: " + alert + "\\n\\s+exp_alerts: \\[]");
        }
    }
}
