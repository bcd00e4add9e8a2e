package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

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
            "fail_first: ", "failure_rate: ", "permanent: ", "create_latency: ", "min: ", "max: ", "state-dir: x",
            "seed: 1", "workers: 0", "reconcile-interval: 0", "backoff-multiplier: 0.5", "backoff-policy: exponential",
            "reconcile-interval: 99999999999999d", "Mars/Olympus", "+02:00", "2026-13-45T99:99:99Z", "a/b/c", "Bad/Name");

    static Path dir;

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("warmpool-scenario-fuzz");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 400, seed = "8501")
    void anyScenarioIsReadOrRejectedWithAConfigException(@ForAll("scenarios") byte[] bytes) throws IOException {
        Path file = dir.resolve("scenario.yaml");
        Files.write(file, bytes);
        Scenario scenario;
        try {
            scenario = Scenario.read(file);
            Settings.from(Config.load(scenario.config(), Map.of(), null));
        } catch (ConfigException e) {
            Statistics.collect("rejected");
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
            return;
        }
        Statistics.collect("accepted");
        assertThat(scenario.start()).isNotNull();
        scenario.claims().values().forEach(load -> {
            assertThat(load.perHour()).isFinite().isBetween(0.0, 100_000.0);
            assertThat(load.fromHour()).isBetween(0, 23);
            assertThat(load.toHour()).isBetween(load.fromHour(), 23);
            assertThat(load.weekdays()).isNotEmpty().allSatisfy(d -> assertThat(d).isBetween(1, 7));
        });
        assertThat(scenario.provisioner().failures().failureRate()).isBetween(0.0, 1.0);
        Statistics.coverage(c -> {
            c.check("accepted").percentage(p -> p >= 3);
            c.check("rejected").percentage(p -> p >= 30);
        });
    }

    /** Values at the edges of each claim field; the generators above rarely land exactly on them. */
    @Property(tries = 100, seed = "8502")
    void everyClaimFieldAtItsEdges(@ForAll("claimEdges") String claim) throws IOException {
        anyScenarioIsReadOrRejectedWithAConfigException(("start: 2026-03-02T00:00:00Z\nclaims:\n  python-dev/small: "
                + claim + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> claimEdges() {
        Arbitrary<String> rate = Arbitraries.of("0", "1", "100000", "100001", "-1", ".nan", ".NaN", ".inf", "-.inf", "1e400",
                "\"8\"", "null", "[]", "true");
        Arbitrary<String> hours = Arbitraries.of("0-23", "8-18", "8", "\"-\"", "\"--\"", "\"8-\"", "\"-18\"", "\"---\"", "8--18", "18-8", "0-24", "24",
                "-1", "8-18-20", "a-b", "\"\"", "null", "[8, 18]", "99999999999", " 8 - 18 ");
        Arbitrary<String> days = Arbitraries.of("[1]", "[1, 7]", "[0]", "[8]", "[]", "[1.5]", "[\"1\"]", "[null]",
                "[99999999999]", "1", "null", "{}");
        Arbitrary<String> zone = Arbitraries.of("UTC", "Europe/Berlin", "+02:00", "Mars/Olympus", "\"\"", "null", "[]", "Z");
        return Combinators.combine(rate, hours, days, zone)
                .as((r, h, d, z) -> "{per_hour: " + r + ", hours: " + h + ", weekdays: " + d + ", timezone: " + z + "}");
    }

    @Provide
    Arbitrary<byte[]> scenarios() {
        return Arbitraries.frequencyOf(
                Tuple.of(15, texts().map(t -> t.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(60)));
    }

    Arbitrary<String> texts() {
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, 2),
                        Arbitraries.doubles().between(0, 1), Arbitraries.of(TOKENS))
                .as((kind, where, token) -> new Object[] {kind, where, token}).list().ofMinSize(1).ofMaxSize(5)
                .map(edits -> {
                    String text = VALID;
                    for (Object[] e : edits) {
                        int at = (int) Math.min(text.length(), Math.floor((double) e[1] * (text.length() + 1)));
                        text = switch ((int) e[0]) {
                            case 0 -> text.substring(0, at) + e[2] + text.substring(at);
                            case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 4));
                            default -> {
                                // replace the value after the next ": " with the token
                                int colon = text.indexOf(": ", at);
                                int end = colon < 0 ? -1 : indexOfAny(text, colon + 2);
                                yield colon < 0 ? text : text.substring(0, colon + 2) + e[2] + text.substring(end);
                            }
                        };
                    }
                    return text;
                });
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of(TOKENS).filter(t -> !t.contains("\n")),
                Arbitraries.of("[1, 2]", "{a: b}", "[]", "{}", "[8, 18]", "{per_hour: 1}", "[[[[]]]]"),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.longs().map(String::valueOf));
        Arbitrary<String> claim = Combinators.combine(value, value, value, value)
                .as((rate, hours, days, tz) -> "{per_hour: " + rate + ", hours: " + hours + ", weekdays: " + days
                        + ", timezone: " + tz + "}");
        Arbitrary<String> rule = Combinators.combine(value, value, value)
                .as((first, rate, permanent) -> "{fail_first: " + first + ", failure_rate: " + rate + ", permanent: " + permanent + "}");
        Arbitrary<String> wrongKinds = Combinators.combine(value, claim, rule, value, value, value)
                .as((start, c, r, latency, setting, settingValue) -> "start: " + start + "\nprovisioner:\n  create_latency: "
                        + latency + "\n  failures: " + r + "\n  presets: {python-dev/small: " + r + "}\nclaims:\n  python-dev/small: "
                        + c + "\nconfig:\n  " + setting.replace(":", "") + ": " + settingValue + "\n");
        Arbitrary<String> nested = Arbitraries.integers().between(1_000, 100_000)
                .map(n -> "start: 2026-03-02T00:00:00Z\nclaims: " + "[".repeat(n));
        Arbitrary<String> soup = Arbitraries.of(TOKENS).list().ofMaxSize(40).map(l -> String.join("", l));
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(VALID)),
                Tuple.of(6, mutated),
                Tuple.of(4, wrongKinds),
                Tuple.of(2, soup),
                Tuple.of(1, nested),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(80)));
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
