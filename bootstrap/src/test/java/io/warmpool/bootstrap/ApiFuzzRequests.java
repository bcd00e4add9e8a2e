package io.warmpool.bootstrap;

import io.warmpool.adapters.http.PresetsFileFuzz;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of REST API requests for the fuzz tests: every route with good, bad and hostile path parameters,
 * query parameters, bodies of every kind (claims JSON, presets YAML, garbage, invalid UTF-8, deep nesting, huge
 * numbers, over 1 MiB), content types and methods — plus paths that match no route.
 */
final class ApiFuzzRequests {

    private ApiFuzzRequests() {
    }

    /** One request: {@code pathAndQuery} is ready to send (percent-encoded); {@code route} names what it aims at. */
    record Request(String method, String pathAndQuery, byte[] body, String contentType, String route) {
        @Override
        public String toString() {
            String shown = body == null ? "no body" : body.length > 300 ? body.length + " bytes"
                    : "'" + new String(body, StandardCharsets.UTF_8) + "'";
            return method + " " + pathAndQuery + " [" + contentType + "] " + shown;
        }
    }

    static final List<String> GOOD_NAMES = List.of("python-dev", "small", "empty", "nope", "x", "v1");
    static final List<String> BAD_TEXT = List.of("Bad Name", "UPPER", "-x", "a".repeat(64), "ü", "😀", "",
            " ", "\n", "'; drop table presets; --", "$(touch /tmp/warmpool-pwned)", "`id`", "%00", "\u0000", "a/b",
            "..", ".", "<script>alert(1)</script>", "{template}", "*", "prebuilds", "\\", "a\"b", "\ud800",
            "x".repeat(5000));

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Arbitrary<String> segment() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(GOOD_NAMES)),
                Tuple.of(3, Arbitraries.of(BAD_TEXT)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(12))).map(ApiFuzzRequests::encode);
    }

    static Arbitrary<String> workspaceId(List<String> known) {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(known)),
                Tuple.of(2, Arbitraries.randomValue(r -> new java.util.UUID(r.nextLong(), r.nextLong()).toString())),
                Tuple.of(1, Arbitraries.of(known).map(s -> s.toUpperCase(java.util.Locale.ROOT))),
                Tuple.of(3, Arbitraries.of(BAD_TEXT).map(ApiFuzzRequests::encode)),
                Tuple.of(1, Arbitraries.of("not-a-uuid", "00000000-0000-0000-0000-00000000000g",
                        "00000000-0000-0000-0000-0000000000001", "0-0-0-0-0", "%2e%2e")));
    }

    static Arbitrary<String> query() {
        Arbitrary<String> key = Arbitraries.of("preset", "owner", "limit", "source", "x", "", "a b", "preset[]");
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("python-dev/small", "python-dev/empty", "nope/x", "alice", "prebuilds", "1",
                        "100", "1000", "presets.yaml")),
                Tuple.of(3, Arbitraries.of("0", "-1", "1001", "1e3", " 5 ", "99999999999999999999", "0x10", "abc", "",
                        "python-dev", "python-dev/", "/small", "a/b/c", "Bad/Name")),
                Tuple.of(2, Arbitraries.of(BAD_TEXT)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20)));
        Arbitrary<String> pair = Combinators.combine(key, value).as((k, v) -> encode(k) + "=" + encode(v));
        return pair.list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
    }

    /** Claim bodies: valid ones, wrong kinds, unknown or repeated fields, broken JSON, hostile text, nesting. */
    static Arbitrary<byte[]> claimBody() {
        Arbitrary<String> fixed = Arbitraries.of(
                "{\"owner\":\"alice\"}", "{\"owner\":\"bob\",\"name\":\"bobs-ws\"}", "{\"owner\":\"carol\",\"name\":null}",
                "{\"owner\":1}", "{\"owner\":true}", "{\"owner\":null}", "{\"owner\":[\"a\"]}", "{\"owner\":{\"a\":1}}",
                "{\"owner\":\"prebuilds\"}", "{\"owner\":\"Alice\"}", "{\"owner\":\"\"}", "{}",
                "{\"owner\":\"" + "a".repeat(64) + "\"}", "{\"owner\":\"x\",\"name\":\"Bad Name\"}",
                "{\"owner\":\"x\",\"extra\":1}", "{\"owner\":\"x\",\"owner\":\"y\"}", "{\"owner\":\"x\"} trailing",
                "{\"owner\":\"x\"", "[]", "\"alice\"", "42", "null", "", " ", "{\"owner\":\"\\u0000\"}",
                "{\"owner\":\"x\\ud800\"}", "{\"owner\":1e999999}", "{\"owner\":123456789012345678901234567890}",
                "{\"owner\":NaN}", "/* c */ {\"owner\":\"x\"}", "{'owner':'x'}", "\ufeff{\"owner\":\"x\"}",
                "{\"owner\":\"'; drop table workspaces; --\"}", "{\"owner\":\"$(touch /tmp/warmpool-pwned)\"}",
                "{\"owner\":\"a\",\"name\":\"`id`\"}", "{\"owner\":\"a\",\"name\":\"a\\nb\"}",
                "{\"owner\":\"x\",\"name\":\"" + "n".repeat(64) + "\"}");
        Arbitrary<String> nested = Arbitraries.integers().between(1, 100_000)
                .map(n -> "{\"owner\":" + "[".repeat(n) + "]".repeat(n) + "}");
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Arbitraries.frequencyOf(
                Tuple.of(8, fixed.map(ApiFuzzRequests::utf8)),
                Tuple.of(2, jsonValue().map(ApiFuzzRequests::utf8)),
                Tuple.of(1, nested.map(ApiFuzzRequests::utf8)),
                Tuple.of(1, random.map(ApiFuzzRequests::utf8)),
                Tuple.of(1, bytes));
    }

    /** Any JSON value, objects keyed by the claim's fields and others. */
    static Arbitrary<String> jsonValue() {
        Arbitrary<String> scalar = Arbitraries.of("1", "-1", "0.5", "true", "false", "null", "\"alice\"", "\"\"",
                "\"a-b\"", "\"Ünï\"", "1e400", "\"\\u0000\"");
        Arbitrary<String> key = Arbitraries.of("owner", "name", "preset", "x", "");
        return Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                Combinators.combine(key, inner).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(3)
                        .map(l -> "{" + String.join(",", l) + "}")), 0, 3);
    }

    /** Presets uploads: the setup's file, mutated ones, hostile parameters, token soup, nesting, invalid UTF-8. */
    static Arbitrary<byte[]> presetsBody() {
        List<String> tokens = List.of("{", "}", "[", "]", ": ", "- ", "\n", "\t", "&a ", "*a", "!!binary ", "---\n",
                "~", "null", ".nan", "99999999999999999999", "-1", "1001", "\"\\0\"", "\"\\ud800\"", "ü", "😀",
                "'; drop table presets; --", "$(touch /tmp/warmpool-pwned)", "instances: ", "version: v2",
                "deleted: true", "deprecated: yes", "ttl: 3651d", "cron: \"* 8 31 2 *\"", "timezone: +02:00");
        Arbitrary<String> mutated = Combinators.combine(
                Arbitraries.integers().between(0, 2), Arbitraries.doubles().between(0, 1), Arbitraries.of(tokens))
                .as((kind, where, token) -> new Object[] {kind, where, token}).list().ofMinSize(1).ofMaxSize(4)
                .map(edits -> {
                    String text = RealApi.PRESETS;
                    for (Object[] e : edits) {
                        int at = (int) Math.min(text.length(), Math.floor((double) e[1] * (text.length() + 1)));
                        text = switch ((int) e[0]) {
                            case 0 -> text.substring(0, at) + e[2] + text.substring(at);
                            case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 3));
                            default -> text.replace("instances: 3", "instances: " + e[2]);
                        };
                    }
                    return text;
                });
        Arbitrary<String> hostile = Combinators.combine(
                        Arbitraries.of("new-t", "python-dev"), Arbitraries.of("v1", "v9"),
                        Arbitraries.of(BAD_TEXT).map(PresetsFileFuzz::doubleQuoted),
                        Arbitraries.strings().all().ofMaxLength(20).map(PresetsFileFuzz::doubleQuoted))
                .as((t, v, p1, p2) -> "templates:\n  - name: " + t + "\n    version: " + v + "\n    presets:\n"
                        + "      - name: p\n        parameters: {a: " + p1 + ", " + p2 + ": x}\n"
                        + "        prebuilds: {instances: 0}\n");
        Arbitrary<String> soup = Arbitraries.of(tokens).list().ofMaxSize(30).map(l -> String.join("", l));
        Arbitrary<String> nested = Arbitraries.integers().between(1, 100_000).map(n -> "templates: " + "[".repeat(n));
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(RealApi.PRESETS).map(ApiFuzzRequests::utf8)),
                Tuple.of(6, mutated.map(ApiFuzzRequests::utf8)),
                Tuple.of(4, hostile.map(ApiFuzzRequests::utf8)),
                Tuple.of(2, soup.map(ApiFuzzRequests::utf8)),
                Tuple.of(1, nested.map(ApiFuzzRequests::utf8)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(60)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Arbitrary<String> contentType() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/yaml", "text/plain",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "garbage", "");
    }

    static Arbitrary<String> method() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("GET")), Tuple.of(6, Arbitraries.just("POST")),
                Tuple.of(3, Arbitraries.just("DELETE")), Tuple.of(1, Arbitraries.of("PUT", "PATCH", "HEAD", "OPTIONS")));
    }

    /** A request at any route (or none), with any method, query, body and content type. */
    static Arbitrary<Request> anyRequest(List<String> workspaces) {
        Arbitrary<String[]> target = Arbitraries.oneOf(
                Arbitraries.of("/api/v1/status", "/api/v1/plan", "/api/v1/presets", "/api/v1/reconciliation",
                        "/api/v1/reconciliation/pause", "/api/v1/reconciliation/resume", "/api/v1/workspaces",
                        "/healthz", "/readyz").map(p -> new String[] {p, p}),
                Combinators.combine(segment(), segment(), Arbitraries.of("", "/resume", "/invalidate", "/claims", "/x"))
                        .as((t, p, tail) -> new String[] {"/api/v1/presets/" + t + "/" + p + tail,
                                "/api/v1/presets/{template}/{preset}" + tail}),
                Combinators.combine(workspaceId(workspaces), Arbitraries.of("", "/builds", "/x"))
                        .as((id, tail) -> new String[] {"/api/v1/workspaces/" + id + tail, "/api/v1/workspaces/{id}" + tail}),
                segment().list().ofMaxSize(5).map(l -> new String[] {"/api/" + String.join("/", l), "unknown"}),
                Arbitraries.of("/api", "/api/", "/api/v1", "/api/v1/", "/api/v2/status", "/api/v1/status/",
                        "//api/v1/status", "/api/v1/presets/python-dev", "/api/v1/presets/python-dev/small/claims/x",
                        "/api/v1/./status", "/api/v1/presets/python-dev/%2e%2e/claims", "/api/v1/presets/a%2Fb/c",
                        "/API/V1/STATUS", "/api/v1/workspaces/%00", "/api/v1/presets/;x=1/small")
                        .map(p -> new String[] {p, "odd"}));
        return Combinators.combine(method(), target, query(), Arbitraries.oneOf(claimBody(), presetsBody()).injectNull(0.2),
                        contentType())
                .as((m, t, q, body, ct) -> new Request(m, t[0] + q, body, ct, t[1]));
    }

    /** Claims at real and hostile preset paths. */
    static Arbitrary<Request> claims() {
        Arbitrary<String> preset = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just("python-dev/small")),
                Tuple.of(1, Arbitraries.of("python-dev/empty", "nope/x", "python-dev/nope")),
                Tuple.of(4, Combinators.combine(segment(), segment()).as((t, p) -> t + "/" + p)));
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just("application/json")),
                Tuple.of(1, contentType()));
        return Combinators.combine(preset, claimBody(), type)
                .as((p, body, ct) -> new Request("POST", "/api/v1/presets/" + p + "/claims", body, ct,
                        "/api/v1/presets/{template}/{preset}/claims"));
    }

    /** Presets uploads with a {@code source} query parameter of any text. */
    static Arbitrary<Request> presetUploads() {
        Arbitrary<String> source = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.of(BAD_TEXT).map(s -> "?source=" + encode(s)),
                Arbitraries.strings().all().ofMaxLength(30).map(s -> "?source=" + encode(s)),
                Arbitraries.just("?source=" + "s".repeat(201)));
        return Combinators.combine(presetsBody(), source, Arbitraries.of("application/yaml", "application/json", ""))
                .as((body, q, ct) -> new Request("POST", "/api/v1/presets" + q, body, ct, "/api/v1/presets"));
    }

    /** A body just over {@code limit} bytes, on a route that reads bodies. */
    static Request oversized(String path, long limit) {
        return new Request("POST", path, new byte[(int) limit + 10], "application/json", "oversized");
    }
}
