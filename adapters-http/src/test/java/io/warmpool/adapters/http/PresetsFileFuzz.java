package io.warmpool.adapters.http;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of bad (and some good) presets files for the fuzz tests: mutations of valid files, streams of YAML
 * tokens, well-formed documents with values of the wrong kind, huge numbers, unicode, deep nesting and alias
 * bombs. Every generator is plain jqwik; the properties using them fix their seeds.
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
            "templates: [{name: a, version: b, presets: [{name: c, prebuilds: {instances: 0}}]}]\n");

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
            "Europe/Berlin", "+02:00", "Mars/Olympus", "* 8-18 * * 1-5", "* 8 31 2 *", "@hourly", "0 * * * *", "24h",
            "3650d", "3651d", "106751991167300d", "0", "1m30s", "-5s");

    /** Any kind of presets-file input, in proportions that keep most of them close to valid. */
    static Arbitrary<String> anyInput() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, mutatedValid()),
                Tuple.of(2, tokenSoup()),
                Tuple.of(4, wrongKinds()),
                Tuple.of(3, hostileParameters()),
                Tuple.of(1, deepNesting(5_000)),
                Tuple.of(1, aliasBombs()),
                Tuple.of(1, unicodeText()));
    }

    /** A valid file with 1 to 6 mutations: a token inserted, a range deleted, a line doubled, dropped or re-indented. */
    static Arbitrary<String> mutatedValid() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 12),
                Arbitraries.of(TOKENS)).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(VALID), mutation.list().ofMinSize(1).ofMaxSize(6))
                .as((text, mutations) -> {
                    String out = text;
                    for (Mutation m : mutations) {
                        out = m.apply(out);
                    }
                    return out;
                });
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
    static Arbitrary<String> hostileParameters() {
        Arbitrary<String> hostile = Arbitraries.oneOf(
                Arbitraries.of("'; drop table presets; --", "$(touch /tmp/warmpool-fuzz)", "`touch /tmp/warmpool-fuzz`",
                        "a\"b'c", "line\nbreak", "\u0000", "a\u0000b", "\ud800", "x\udc00y", "😀", "ü日本", "\u202e", "%s%n",
                        "${HOME}", "--help", "-rf /", "\\", " leading", "trailing ", ""),
                Arbitraries.strings().all().ofMaxLength(30));
        Arbitrary<String> name = Arbitraries.oneOf(hostile, Arbitraries.of("cpu", "memory", "image"));
        Arbitrary<String> entry = Combinators.combine(name, hostile).as((k, v) -> doubleQuoted(k) + ": " + doubleQuoted(v));
        return entry.list().ofMinSize(1).ofMaxSize(4).map(entries -> "templates:\n  - name: t\n    version: v1\n"
                + "    presets:\n      - name: p\n        parameters: {" + String.join(", ", entries) + "}\n"
                + "        prebuilds: {instances: 1}\n");
    }

    /** Up to 80 tokens in any order. */
    static Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(80).map(l -> String.join("", l));
    }

    /**
     * Well-formed YAML with the presets file's keys (and some unknown ones) where any value may be of the wrong
     * kind: a list where a mapping belongs, a text where a number belongs, a huge or negative number, a mapping as
     * a key, null, a special float.
     */
    static Arbitrary<String> wrongKinds() {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("x", "small", "v1", "\"2\"", "'3'", "3", "-3", "0", "1000", "1001", "2147483648",
                        "99999999999999999999", "1.5", "1e400", ".nan", ".inf", "true", "false", "null", "~", "\"\"",
                        "\"* 8-18 * * 1-5\"", "\"* * 31 2 *\"", "UTC", "Europe/Berlin", "\"+02:00\"", "24h", "\"3651d\"",
                        "\"a\\0b\"", "\"\\ud800\"", "\"'; drop table presets; --\"", "\"$(touch /tmp/x)\"", "\"`id`\"",
                        "\"line\\nbreak\"", "\"tab\\there\"", "Bad Name", "UPPER", "-lead", "a--b", "\"" + "a".repeat(64) + "\""),
                Arbitraries.strings().all().ofMaxLength(12).map(PresetsFileFuzz::doubleQuoted),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
                        .map(String::valueOf));
        Arbitrary<String> key = Arbitraries.oneOf(
                Arbitraries.of("templates", "name", "version", "deprecated", "deleted", "presets", "parameters", "prebuilds",
                        "instances", "ttl", "scheduling", "timezone", "schedule", "cron"),
                Arbitraries.of("tempaltes", "Name", "instance", "cpu", "memory", "\"\"", "\"a b\"", "null", "1", "true",
                        "[a, b]", "{a: b}", "\"ü\"", "\"😀\""));
        Arbitrary<String> value = Arbitraries.recursive(() -> scalar,
                inner -> Arbitraries.oneOf(
                        inner.list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]"),
                        Combinators.combine(key, inner).as((k, v) -> k + ": " + v).list().ofMaxSize(5)
                                .map(l -> "{" + String.join(", ", l) + "}")),
                0, 4);
        Arbitrary<String> window = Combinators.combine(value, value).as((c, i) -> "{cron: " + c + ", instances: " + i + "}");
        Arbitrary<String> scheduling = Combinators.combine(value, window.list().ofMaxSize(3), value)
                .as((tz, ws, other) -> "{timezone: " + tz + ", schedule: [" + String.join(", ", ws) + "]}");
        Arbitrary<String> prebuilds = Combinators.combine(value, value, Arbitraries.oneOf(scheduling, value))
                .as((i, t, s) -> "{instances: " + i + ", ttl: " + t + ", scheduling: " + s + "}");
        Arbitrary<String> parameters = Combinators.combine(key, value).as((k, v) -> k + ": " + v).list().ofMaxSize(4)
                .map(l -> "{" + String.join(", ", l) + "}");
        Arbitrary<String> preset = Combinators.combine(value, Arbitraries.oneOf(parameters, value),
                        Arbitraries.oneOf(prebuilds, value))
                .as((n, p, b) -> "{name: " + n + ", parameters: " + p + ", prebuilds: " + b + "}");
        Arbitrary<String> template = Combinators.combine(value, value, value, value,
                        Arbitraries.oneOf(preset.list().ofMaxSize(3).map(l -> "[" + String.join(", ", l) + "]"), value))
                .as((n, v, dep, del, ps) -> "{name: " + n + ", version: " + v + ", deprecated: " + dep + ", deleted: " + del
                        + ", presets: " + ps + "}");
        return Arbitraries.oneOf(
                template.list().ofMaxSize(3).map(l -> "templates: [" + String.join(", ", l) + "]\n"),
                value.map(v -> "templates: " + v + "\n"),
                value);
    }

    /** {@code [[[…}, {@code {a: {a: …}, block lists and mixed nesting, from shallow to {@code maxDepth} levels. */
    static Arbitrary<String> deepNesting(int maxDepth) {
        Arbitrary<Integer> depth = Arbitraries.oneOf(Arbitraries.integers().between(1, 60),
                Arbitraries.integers().between(1_000, maxDepth));
        return Combinators.combine(depth, Arbitraries.integers().between(0, 3)).as((n, kind) -> switch (kind) {
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
        });
    }

    /** Aliases that expand exponentially ("billion laughs"), placed where a value of the file belongs. */
    static Arbitrary<String> aliasBombs() {
        return Arbitraries.integers().between(2, 30).map(levels -> {
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
    static Arbitrary<String> unicodeText() {
        return Arbitraries.strings().all().ofMaxLength(200);
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
