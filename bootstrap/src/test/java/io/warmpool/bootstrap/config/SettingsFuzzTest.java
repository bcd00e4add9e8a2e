package io.warmpool.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.bootstrap.Composition;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import io.warmpool.property.Tally;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input, configuration (SPEC §7): any value for any setting (flags, variables and file keys all end up here)
 * gives settings the service can run with, or a {@link ConfigException} naming the setting (exit 2) — never another
 * exception, such as an overflow from an absurd duration. Seeds are fixed.
 */
class SettingsFuzzTest {

    static final List<String> VALUES = List.of("", " ", "0", "1", "-1", "2", "256", "257", "1000000", "1000001",
            "2147483648", "99999999999999999999", "1.5", "1e400", "NaN", "Infinity", "0x10", "15s", "0s", "1ms", "2ms",
            "3ms", "24h", "3650d", "3651d", "99999999999999d", "106751991167301d", "1m30s", "-5s", "soon", "linear",
            "exponential", "none", "full", "equal", "simulated", "command", "http", "127.0.0.1:0", "127.0.0.1:65536",
            "[::1]:8080", ":8080", "host:", "nowhere", "http://127.0.0.1:9/x", "jdbc:postgresql://h/db", "[\"/bin/true\"]",
            "./create.sh --all", "[]", "[[[", "{a: b}", "'; drop table presets; --", "$(touch /tmp/warmpool-pwned)",
            "ü", "😀", "0123456789abcdef0123456789abcdef", "short");

    @Test
    void anyValuesGiveRunnableSettingsOrAConfigException() {
        Tally outcomes = new Tally();
        Property.forAll(8601, 400, flags(), flags -> outcomes.add(runnableOrRejected(flags)));
        outcomes.assertAtLeastPercent("accepted", 3);
    }

    private static String runnableOrRejected(Map<Setting, String> flags) {
        Settings settings;
        try {
            settings = Settings.from(Config.load(flags, Map.of(), null));
            Composition.modules(settings, "token");
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("--"));
            return "rejected";
        }
        assertThat(settings.reconcileInterval()).isPositive().isLessThanOrEqualTo(Config.MAX_DURATION);
        assertThat(settings.worker().heartbeatTimeout()).isPositive().isLessThanOrEqualTo(Config.MAX_DURATION);
        assertThat(settings.workers()).isBetween(1, 256);
        assertThat(settings.eventRetention().retention()).satisfiesAnyOf(r -> assertThat(r).isZero(),
                r -> assertThat(r).isBetween(EventRetentionSettings.MIN_RETENTION, Config.MAX_DURATION));
        assertThat(settings.httpAddr().getPort()).isBetween(0, 65535);
        return "accepted";
    }

    /** Up to 4 settings with any values, plus a temporary state directory and a seed unless drawn. */
    static Gen<Map<Setting, String>> flags() {
        Gen<String> value = Gen.frequency(Gen.weighted(8, Gen.choose(VALUES)), Gen.weighted(1, Gen.anyStrings(12)));
        Gen<Setting> setting = Gen.of(Setting.class);
        Gen<Integer> size = Gen.ints(0, 4);
        return random -> {
            Map<Setting, String> flags = new EnumMap<>(Setting.class);
            int n = size.next(random);
            while (flags.size() < n) {
                flags.put(setting.next(random), value.next(random));
            }
            flags.put(Setting.STATE_DIR, System.getProperty("java.io.tmpdir") + "/warmpool-settings-fuzz");
            flags.putIfAbsent(Setting.SEED, "1");
            return flags;
        };
    }
}
