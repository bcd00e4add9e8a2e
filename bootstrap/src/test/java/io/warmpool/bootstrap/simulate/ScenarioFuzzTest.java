package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import io.warmpool.property.Tally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input, scenario file (SPEC §5 Simulator, §7): whatever a scenario file holds — a valid one with typos,
 * token soup, the right keys with values of the wrong kind, huge numbers, NaN and infinities, unicode, nesting deeper
 * than any stack — reading it (and the run settings it overrides, which {@code simulate} reads next, before any
 * database starts) either succeeds with sane values or fails with a {@link ConfigException}, which the CLI reports
 * with exit code 2. Nothing else escapes. Seeds are fixed.
 */
class ScenarioFuzzTest {

    static final String VALID = """
            start: 2026-03-02T00:00:00Z
            provisioner:
              create_latency: {min: 2m, max: 4m}
              delete_latency: 30s
              failures: {fail_first: 0, failure_rate: 0.1, permanent: false}
              delete_failure_rate: 0
              presets:
                go-service/broken: {fail_first: 3}
            claims:
              python-dev/small: {per_hour: 8, hours: 8-18, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
              python-dev/large: {per_hour: 1}
              go-service/broken:
                windows:
                  - {per_hour: 2, hours: 9-17, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
                  - {per_hour: 0.5, from: 2026-03-03T00:00:00Z, until: 2026-03-04T00:00:00Z}
                bursts:
                  - {at: "09:00", claims: 12, within: 5m, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
                scale:
                  - {from: 2026-03-16T00:00:00Z, factor: 2}
            config:
              reconcile-interval: 15s
              backoff-interval: 1m
              failure-hard-limit: 5
            """;

    static final List<String> TOKENS = List.of("{", "}", "[", "]", ": ", "- ", "\n", "\t", "  ", "#", "&a ", "*a",
            "!!binary ", "!!float ", "---\n", "~", "null", "true", "yes", ".nan", ".NaN", ".inf", "-.inf", "1e400", "-1",
            "0", "99999999999999999999", "2147483648", "0x10", "1.5", "\"\"", "-", "8-", "-18", "8-18-20", "18-8", "24",
            "\"\\0\"", "\"\\ud800\"", "ü", "😀", "'; drop table presets; --", "$(touch /tmp/warmpool-pwned)",
            "start: ", "provisioner:", "claims:", "config:", "per_hour: ", "hours: ", "weekdays: ", "timezone: ",
            "windows: ", "bursts: ", "scale: ", "at: ", "claims: ", "within: ", "from: ", "until: ", "factor: ", "\"25:61\"", "09:00",
            "fail_first: ", "failure_rate: ", "permanent: ", "create_latency: ", "min: ", "max: ", "state-dir: x",
            "seed: 1", "workers: 0", "reconcile-interval: 0", "backoff-multiplier: 0.5", "backoff-policy: exponential",
            "reconcile-interval: 99999999999999d", "Mars/Olympus", "+02:00", "2026-13-45T99:99:99Z", "a/b/c", "Bad/Name");

    static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("warmpool-scenario-fuzz");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void anyScenarioIsReadOrRejectedWithAConfigException() {
        Tally outcomes = new Tally();
        Property.forAll(8501, 400, scenarios(), bytes -> outcomes.add(readOrRejected(bytes)));
        outcomes.assertAtLeastPercent("accepted", 3).assertAtLeastPercent("rejected", 30);
    }

    /** Values at the edges of each claim field; the generators above rarely land exactly on them. */
    @Test
    void everyClaimFieldAtItsEdges() {
        Property.forAll(8502, 100, claimEdges(), claim -> readOrRejected(("start: 2026-03-02T00:00:00Z\nclaims:\n"
                + "  python-dev/small: " + claim + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String readOrRejected(byte[] bytes) throws IOException {
        Path file = dir.resolve("scenario.yaml");
        Files.write(file, bytes);
        Scenario scenario;
        try {
            scenario = Scenario.read(file);
            Settings.from(Config.load(scenario.config(), Map.of(), null));
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
            return "rejected";
        }
        assertThat(scenario.start()).isNotNull();
        scenario.claims().values().forEach(demand -> {
            demand.windows().forEach(load -> {
                assertThat(load.perHour()).isFinite().isBetween(0.0, 100_000.0);
                assertThat(load.fromHour()).isBetween(0, 23);
                assertThat(load.toHour()).isBetween(load.fromHour(), 23);
                assertThat(load.weekdays()).isNotEmpty().allSatisfy(d -> assertThat(d).isBetween(1, 7));
            });
            demand.bursts().forEach(b -> {
                assertThat(b.claims()).isBetween(0, 10_000);
                assertThat(b.within()).isPositive().isLessThanOrEqualTo(java.time.Duration.ofDays(1));
            });
            demand.scale().forEach(s -> assertThat(s.factor()).isFinite().isBetween(0.0, 1_000.0));
        });
        assertThat(scenario.provisioner().failures().failureRate()).isBetween(0.0, 1.0);
        return "accepted";
    }

    static Gen<String> claimEdges() {
        Gen<String> rate = Gen.of("0", "1", "100000", "100001", "-1", ".nan", ".NaN", ".inf", "-.inf", "1e400",
                "\"8\"", "null", "[]", "true");
        Gen<String> hours = Gen.of("0-23", "8-18", "8", "\"-\"", "\"--\"", "\"8-\"", "\"-18\"", "\"---\"", "8--18", "18-8", "0-24", "24",
                "-1", "8-18-20", "a-b", "\"\"", "null", "[8, 18]", "99999999999", " 8 - 18 ");
        Gen<String> days = Gen.of("[1]", "[1, 7]", "[0]", "[8]", "[]", "[1.5]", "[\"1\"]", "[null]",
                "[99999999999]", "1", "null", "{}");
        Gen<String> zone = Gen.of("UTC", "Europe/Berlin", "+02:00", "Mars/Olympus", "\"\"", "null", "[]", "Z");
        return claim(rate, hours, days, zone);
    }

    private static Gen<String> claim(Gen<String> rate, Gen<String> hours, Gen<String> days, Gen<String> zone) {
        return random -> "{per_hour: " + rate.next(random) + ", hours: " + hours.next(random) + ", weekdays: "
                + days.next(random) + ", timezone: " + zone.next(random) + "}";
    }

    static Gen<byte[]> scenarios() {
        return Gen.frequency(
                Gen.weighted(15, texts().map(t -> t.getBytes(StandardCharsets.UTF_8))),
                Gen.weighted(1, Gen.bytes(60)));
    }

    /** One edit of the valid scenario: a token inserted, four chars deleted, or the next value replaced. */
    private record Edit(int kind, double where, String token) {
        String apply(String text) {
            int at = (int) Math.min(text.length(), Math.floor(where * (text.length() + 1)));
            return switch (kind) {
                case 0 -> text.substring(0, at) + token + text.substring(at);
                case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 4));
                default -> {
                    // replace the value after the next ": " with the token
                    int colon = text.indexOf(": ", at);
                    int end = colon < 0 ? -1 : indexOfAny(text, colon + 2);
                    yield colon < 0 ? text : text.substring(0, colon + 2) + token + text.substring(end);
                }
            };
        }
    }

    static Gen<String> texts() {
        Gen<Integer> kind = Gen.ints(0, 2);
        Gen<Double> where = Gen.doubles(0, 1);
        Gen<String> token = Gen.choose(TOKENS);
        Gen<List<Edit>> edits = ((Gen<Edit>) random -> new Edit(kind.next(random), where.next(random), token.next(random)))
                .list(1, 5);
        Gen<String> mutated = edits.map(list -> {
            String text = VALID;
            for (Edit e : list) {
                text = e.apply(text);
            }
            return text;
        });
        Gen<String> value = Gen.oneOf(Gen.choose(TOKENS).filter(t -> !t.contains("\n")),
                Gen.of("[1, 2]", "{a: b}", "[]", "{}", "[8, 18]", "{per_hour: 1}", "[[[[]]]]"),
                doubles().map(String::valueOf), Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE).map(String::valueOf));
        Gen<String> claim = claim(value, value, value, value);
        Gen<String> rule = random -> "{fail_first: " + value.next(random) + ", failure_rate: " + value.next(random)
                + ", permanent: " + value.next(random) + "}";
        Gen<String> wrongKinds = random -> {
            String start = value.next(random);
            String c = claim.next(random);
            String r = rule.next(random);
            String latency = value.next(random);
            String setting = value.next(random);
            String settingValue = value.next(random);
            return "start: " + start + "\nprovisioner:\n  create_latency: " + latency + "\n  failures: " + r
                    + "\n  presets: {python-dev/small: " + r + "}\nclaims:\n  python-dev/small: " + c + "\nconfig:\n  "
                    + setting.replace(":", "") + ": " + settingValue + "\n";
        };
        Gen<String> nested = Gen.ints(1_000, 100_000).map(n -> "start: 2026-03-02T00:00:00Z\nclaims: " + "[".repeat(n));
        Gen<String> soup = Gen.choose(TOKENS).list(0, 40).map(l -> String.join("", l));
        return Gen.frequency(
                Gen.weighted(1, Gen.constant(VALID)),
                Gen.weighted(6, mutated),
                Gen.weighted(4, wrongKinds),
                Gen.weighted(2, soup),
                Gen.weighted(1, nested),
                Gen.weighted(1, Gen.anyStrings(80)));
    }

    /** Doubles as their text: small ones with a few decimals, huge ones in exponent form, and the special values. */
    private static Gen<Double> doubles() {
        return Gen.frequency(
                Gen.weighted(6, Gen.doubles(-1_000, 1_000).map(d -> Math.round(d * 100) / 100.0)),
                Gen.weighted(3, Gen.doubles(-Double.MAX_VALUE / 2, Double.MAX_VALUE / 2)),
                Gen.weighted(1, Gen.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE)));
    }

    private static int indexOfAny(String text, int from) {
        List<Integer> ends = new ArrayList<>();
        for (char c : new char[] {'\n', ',', '}'}) {
            int i = text.indexOf(c, from);
            if (i >= 0) {
                ends.add(i);
            }
        }
        return ends.stream().min(Integer::compare).orElse(text.length());
    }
}
