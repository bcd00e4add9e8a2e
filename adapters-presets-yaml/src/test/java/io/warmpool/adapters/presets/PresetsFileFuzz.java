package io.warmpool.adapters.presets;

import io.warmpool.property.Gen;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Generators of bad (and some good) presets files for the fuzz tests: mutations of valid files, streams of YAML
 * tokens, well-formed documents with values of the wrong kind, huge numbers, unicode, deep nesting and alias
 * bombs. Every generator is a {@link Gen} of the project's seeded harness; the properties using them fix their seeds.
 */
public final class PresetsFileFuzz {

    private PresetsFileFuzz() {
    }

    /** Valid files the mutations start from: the SPEC example, a full example, a JSON file, a minimal one. */
    static final List<String> VALID = List.of(
            PresetsYamlTest.SPEC_EXAMPLE,
            """
            templates:
              - name: python-dev
                version: v3
                presets:
                  - name: small
                    parameters: {cpu: "2", memory: 4Gi}
                    prebuilds:
                      instances: 2
                      scheduling:
                        timezone: Europe/Berlin
                        schedule:
                          - {cron: "* 8-18 * * 1-5", instances: 6}
                  - name: large
                    parameters: {cpu: "8", memory: 16Gi}
                    prebuilds:
                      instances: 2
                      ttl: 30m
              - name: go-service
                version: v1
                deprecated: false
                deleted: false
                presets:
                  - name: broken
                    parameters: {image: "golang:does-not-exist"}
                    prebuilds:
                      instances: 1
            """,
            """
            {"templates": [{"name": "t1", "version": "v1", "presets": [{"name": "p1", "parameters": {"a": "b"},
              "prebuilds": {"instances": 1, "ttl": "1h", "scheduling": {"timezone": "UTC",
              "schedule": [{"cron": "* 0-5 * * *", "instances": 2}, {"cron": "* 6-23 * * 0,6", "instances": 0}]}}}]}]}
            """,
            "templates: [{name: a, version: b, presets: [{name: c, prebuilds: {instances: 0}}]}]\n",
            "templates: [{name: a, version: b, presets: [{name: c, prebuilds: {ttl: 8h,"
                    + " autoscale: {target_hit_rate: 0.99, min: 1, max: 20, lookback: 14d}}}]}]\n");

    /**
     * Pieces of YAML and of trouble: structure, anchors and aliases, tags, documents, nulls, booleans, special
     * floats, numbers far outside {@code int}, escapes that make NUL and lone surrogates, right-to-left and
     * byte-order marks, emoji, and the SQL and shell metacharacters an attacker would try.
     */
    static final List<String> TOKENS = List.of(
            "{", "}", "[", "]", ":", ": ", ",", "- ", "-", "\n", "\n  ", "\n    - ", "\t", "  ", "#", "# c\n", "?", "? ",
            "|", "|-\n  ", ">", "\"", "'", "&a ", "*a", "&b [*a, *a] ", "<<: *a", "!!str ", "!!int ", "!!float ",
            "!!binary ", "!!map ", "!!seq ", "!!set ", "!local ", "!<tag:yaml.org,2002:str> ", "%YAML 1.2\n",
            "%TAG ! tag:x,2000:\n", "---\n", "...\n", "~", "null", "Null", "true", "False", "yes", "on", ".nan", ".inf",
            "-.inf", "0x7fffffff", "0x80000000", "0o777", "0b101", "1_000", "99999999999999999999999999", "-1", "-0", "+3",
            "1e400", "1.5", "2147483647", "2147483648", "-2147483649", "1001", "9223372036854775808",
            "\"\\0\"", "\"\\x00\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\U0001F600\"", "\"\\e\"", "\"\\N\"",
            "ü", "日本語", "\u202e", "\ufeff", "\u0085", "\u2028", "😀", "\u0000", "\u0007", "\r", "\r\n",
            "'; drop table presets; --", "$(touch /tmp/warmpool-fuzz)", "`id`", "\\", "%", "%00", "..", "/",
            "templates", "templates:", "name", "name: ", "version: ", "presets:", "parameters:", "prebuilds:",
            "instances: ", "ttl: ", "scheduling:", "timezone: ", "schedule:", "cron: ", "deprecated: ", "deleted: ",
            "autoscale:", "target_hit_rate: ", "min: ", "max: ", "lookback: ", "0.99", "1e-3", "14d", "91d",
            "Europe/Berlin", "+02:00", "Mars/Olympus", "* 8-18 * * 1-5", "* 8 31 2 *", "@hourly", "0 * * * *", "24h",
            "3650d", "3651d", "106751991167300d", "0", "1m30s", "-5s");

    /** Any kind of presets-file input, in proportions that keep most of them close to valid. */
    static Gen<String> anyInput() {
        return Gen.frequency(
                Gen.weighted(5, mutatedValid()),
                Gen.weighted(2, tokenSoup()),
                Gen.weighted(4, wrongKinds()),
                Gen.weighted(3, hostileParameters()),
                Gen.weighted(1, deepNesting(5_000)),
                Gen.weighted(1, aliasBombs()),
                Gen.weighted(1, unicodeText()));
    }

    /** A valid file with 1 to 6 mutations: a token inserted, a range deleted, a line doubled, dropped or re-indented. */
    static Gen<String> mutatedValid() {
        Gen<Integer> kind = Gen.ints(0, 4);
        Gen<Double> where = Gen.doubles(0, 1);
        Gen<Integer> size = Gen.ints(1, 12);
        Gen<String> token = Gen.choose(TOKENS);
        Gen<Mutation> mutation = random -> new Mutation(kind.next(random), where.next(random), size.next(random),
                token.next(random));
        Gen<String> valid = Gen.choose(VALID);
        Gen<List<Mutation>> mutations = mutation.list(1, 6);
        return random -> {
            String out = valid.next(random);
            for (Mutation m : mutations.next(random)) {
                out = m.apply(out);
            }
            return out;
        };
    }

    /** One edit of a text at a relative position. */
    record Mutation(int kind, double where, int size, String token) {
        String apply(String text) {
            int at = (int) Math.min(text.length(), Math.floor(where * (text.length() + 1)));
            switch (kind) {
                case 0:
                    return text.substring(0, at) + token + text.substring(at);
                case 1:
                    return text.substring(0, at) + text.substring(Math.min(text.length(), at + size));
                case 2: {
                    String[] lines = text.split("\n", -1);
                    int line = (int) Math.min(lines.length - 1, Math.floor(where * lines.length));
                    List<String> out = new ArrayList<>(List.of(lines));
                    out.add(line, lines[line]);
                    return String.join("\n", out);
                }
                case 3: {
                    String[] lines = text.split("\n", -1);
                    int line = (int) Math.min(lines.length - 1, Math.floor(where * lines.length));
                    List<String> out = new ArrayList<>(List.of(lines));
                    out.remove(line);
                    return String.join("\n", out);
                }
                default: {
                    String[] lines = text.split("\n", -1);
                    int line = (int) Math.min(lines.length - 1, Math.floor(where * lines.length));
                    lines[line] = (size % 2 == 0 ? " ".repeat(size % 5) : "") + lines[line].stripLeading();
                    return String.join("\n", lines);
                }
            }
        }
    }

    /**
     * A valid file whose parameter names and values — the free text of a presets file — are hostile: SQL and shell
     * metacharacters, quotes, newlines, NUL, unpaired surrogates, emoji, or any text at all, in every YAML style.
     */
    static Gen<String> hostileParameters() {
        Gen<String> hostile = Gen.oneOf(
                Gen.of("'; drop table presets; --", "$(touch /tmp/warmpool-fuzz)", "`touch /tmp/warmpool-fuzz`",
                        "a\"b'c", "line\nbreak", "\u0000", "a\u0000b", "\ud800", "x\udc00y", "😀", "ü日本", "\u202e", "%s%n",
                        "${HOME}", "--help", "-rf /", "\\", " leading", "trailing ", ""),
                Gen.anyStrings(30));
        Gen<String> name = Gen.oneOf(hostile, Gen.of("cpu", "memory", "image"));
        Gen<String> entry = random -> doubleQuoted(name.next(random)) + ": " + doubleQuoted(hostile.next(random));
        return entry.list(1, 4).map(entries -> "templates:\n  - name: t\n    version: v1\n"
                + "    presets:\n      - name: p\n        parameters: {" + String.join(", ", entries) + "}\n"
                + "        prebuilds: {instances: 1}\n");
    }

    /** Up to 80 tokens in any order. */
    static Gen<String> tokenSoup() {
        return Gen.choose(TOKENS).list(0, 80).map(l -> String.join("", l));
    }

    /**
     * Well-formed YAML with the presets file's keys (and some unknown ones) where any value may be of the wrong
     * kind: a list where a mapping belongs, a text where a number belongs, a huge or negative number, a mapping as
     * a key, null, a special float.
     */
    static Gen<String> wrongKinds() {
        BigInteger bound = BigInteger.TEN.pow(30);
        Gen<String> scalar = Gen.oneOf(
                Gen.of("x", "small", "v1", "\"2\"", "'3'", "3", "-3", "0", "1000", "1001", "2147483648",
                        "99999999999999999999", "1.5", "1e400", ".nan", ".inf", "true", "false", "null", "~", "\"\"",
                        "\"* 8-18 * * 1-5\"", "\"* * 31 2 *\"", "UTC", "Europe/Berlin", "\"+02:00\"", "24h", "\"3651d\"",
                        "\"a\\0b\"", "\"\\ud800\"", "\"'; drop table presets; --\"", "\"$(touch /tmp/x)\"", "\"`id`\"",
                        "\"line\\nbreak\"", "\"tab\\there\"", "Bad Name", "UPPER", "-lead", "a--b", "\"" + "a".repeat(64) + "\""),
                Gen.anyStrings(12).map(PresetsFileFuzz::doubleQuoted),
                Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE).map(String::valueOf),
                Gen.longs(Long.MIN_VALUE, Long.MAX_VALUE).map(String::valueOf),
                // from -10^30 to 10^30: 101 random bits folded into that range
                random -> new BigInteger(101, new java.util.Random(random.nextLong()))
                        .mod(bound.shiftLeft(1).add(BigInteger.ONE)).subtract(bound).toString());
        Gen<String> key = Gen.oneOf(
                Gen.of("templates", "name", "version", "deprecated", "deleted", "presets", "parameters", "prebuilds",
                        "instances", "ttl", "scheduling", "timezone", "schedule", "cron", "autoscale", "target_hit_rate",
                        "min", "max", "lookback"),
                Gen.of("tempaltes", "Name", "instance", "cpu", "memory", "\"\"", "\"a b\"", "null", "1", "true",
                        "[a, b]", "{a: b}", "\"ü\"", "\"😀\""));
        Gen<String> value = Gen.recursive(scalar,
                inner -> Gen.oneOf(
                        inner.list(0, 4).map(l -> "[" + String.join(", ", l) + "]"),
                        entries(key, inner, 5)),
                0, 4);
        Gen<String> window = random -> "{cron: " + value.next(random) + ", instances: " + value.next(random) + "}";
        Gen<List<String>> windows = window.list(0, 3);
        Gen<String> scheduling = random -> "{timezone: " + value.next(random) + ", schedule: ["
                + String.join(", ", windows.next(random)) + "]}";
        Gen<String> schedulingOrValue = Gen.oneOf(scheduling, value);
        Gen<String> prebuilds = random -> "{instances: " + value.next(random) + ", ttl: " + value.next(random)
                + ", scheduling: " + schedulingOrValue.next(random) + "}";
        Gen<String> parametersOrValue = Gen.oneOf(entries(key, value, 4), value);
        Gen<String> prebuildsOrValue = Gen.oneOf(prebuilds, value);
        Gen<String> preset = random -> "{name: " + value.next(random) + ", parameters: " + parametersOrValue.next(random)
                + ", prebuilds: " + prebuildsOrValue.next(random) + "}";
        Gen<String> presetsOrValue = Gen.oneOf(preset.list(0, 3).map(l -> "[" + String.join(", ", l) + "]"), value);
        Gen<String> template = random -> "{name: " + value.next(random) + ", version: " + value.next(random)
                + ", deprecated: " + value.next(random) + ", deleted: " + value.next(random)
                + ", presets: " + presetsOrValue.next(random) + "}";
        return Gen.oneOf(
                template.list(0, 3).map(l -> "templates: [" + String.join(", ", l) + "]\n"),
                value.map(v -> "templates: " + v + "\n"),
                value);
    }

    /** A flow mapping of up to {@code maxSize} {@code key: value} entries. */
    private static Gen<String> entries(Gen<String> key, Gen<String> value, int maxSize) {
        Gen<String> entry = random -> key.next(random) + ": " + value.next(random);
        return entry.list(0, maxSize).map(l -> "{" + String.join(", ", l) + "}");
    }

    /** {@code [[[…}, {@code {a: {a: …}, block lists and mixed nesting, from shallow to {@code maxDepth} levels. */
    static Gen<String> deepNesting(int maxDepth) {
        Gen<Integer> depth = Gen.oneOf(Gen.ints(1, 60), Gen.ints(1_000, maxDepth));
        Gen<Integer> kinds = Gen.ints(0, 3);
        return random -> {
            int n = depth.next(random);
            return switch (kinds.next(random)) {
                case 0 -> "[".repeat(n) + "]".repeat(n);
                case 1 -> "{a: ".repeat(n) + "1" + "}".repeat(n);
                case 2 -> "templates: " + "[".repeat(n);
                default -> {
                    StringBuilder sb = new StringBuilder("templates:\n");
                    int lines = Math.min(n, 2_000);
                    for (int i = 0; i < lines; i++) {
                        sb.append(" ".repeat(i)).append("- \n");
                    }
                    yield sb.toString();
                }
            };
        };
    }

    /** Aliases that expand exponentially ("billion laughs"), placed where a value of the file belongs. */
    static Gen<String> aliasBombs() {
        return Gen.ints(2, 30).map(levels -> {
            StringBuilder sb = new StringBuilder("x0: &a0 [\"lol\", \"lol\"]\n");
            for (int i = 1; i <= levels; i++) {
                sb.append("x").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                        .append(i - 1).append(", *a").append(i - 1).append("]\n");
            }
            sb.append("templates: *a").append(levels).append('\n');
            return sb.toString();
        });
    }

    /** Arbitrary text, including control characters, unpaired surrogates and characters outside the BMP. */
    static Gen<String> unicodeText() {
        return Gen.anyStrings(200);
    }

    /** A YAML double-quoted scalar holding {@code s} exactly (control characters and surrogates escaped). */
    public static String doubleQuoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || (c >= 0x80 && c <= 0x9f)
                    || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
