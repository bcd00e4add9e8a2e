package io.warmpool.bootstrap;

import io.warmpool.adapters.presets.PresetsFileFuzz;
import io.warmpool.property.Gen;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

    static Gen<String> segment() {
        return Gen.frequency(
                Gen.weighted(6, Gen.choose(GOOD_NAMES)),
                Gen.weighted(3, Gen.choose(BAD_TEXT)),
                Gen.weighted(1, Gen.anyStrings(12))).map(ApiFuzzRequests::encode);
    }

    static Gen<String> workspaceId(List<String> known) {
        return Gen.frequency(
                Gen.weighted(4, Gen.choose(known)),
                Gen.weighted(2, random -> new java.util.UUID(random.nextLong(), random.nextLong()).toString()),
                Gen.weighted(1, Gen.choose(known).map(s -> s.toUpperCase(java.util.Locale.ROOT))),
                Gen.weighted(3, Gen.choose(BAD_TEXT).map(ApiFuzzRequests::encode)),
                Gen.weighted(1, Gen.of("not-a-uuid", "00000000-0000-0000-0000-00000000000g",
                        "00000000-0000-0000-0000-0000000000001", "0-0-0-0-0", "%2e%2e")));
    }

    static Gen<String> query() {
        Gen<String> key = Gen.of("preset", "owner", "limit", "source", "x", "", "a b", "preset[]");
        Gen<String> value = Gen.frequency(
                Gen.weighted(3, Gen.of("python-dev/small", "python-dev/empty", "nope/x", "alice", "prebuilds", "1",
                        "100", "1000", "presets.yaml")),
                Gen.weighted(3, Gen.of("0", "-1", "1001", "1e3", " 5 ", "99999999999999999999", "0x10", "abc", "",
                        "python-dev", "python-dev/", "/small", "a/b/c", "Bad/Name")),
                Gen.weighted(2, Gen.choose(BAD_TEXT)),
                Gen.weighted(1, Gen.anyStrings(20)));
        Gen<String> pair = random -> encode(key.next(random)) + "=" + encode(value.next(random));
        return pair.list(0, 4).map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
    }

    /** Claim bodies: valid ones, wrong kinds, unknown or repeated fields, broken JSON, hostile text, nesting. */
    static Gen<byte[]> claimBody() {
        Gen<String> fixed = Gen.of(
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
        Gen<String> nested = Gen.ints(1, 100_000).map(n -> "{\"owner\":" + "[".repeat(n) + "]".repeat(n) + "}");
        return Gen.frequency(
                Gen.weighted(8, fixed.map(ApiFuzzRequests::utf8)),
                Gen.weighted(2, jsonValue().map(ApiFuzzRequests::utf8)),
                Gen.weighted(1, nested.map(ApiFuzzRequests::utf8)),
                Gen.weighted(1, Gen.anyStrings(40).map(ApiFuzzRequests::utf8)),
                Gen.weighted(1, Gen.bytes(40)));
    }

    /** Any JSON value, objects keyed by the claim's fields and others. */
    static Gen<String> jsonValue() {
        Gen<String> scalar = Gen.of("1", "-1", "0.5", "true", "false", "null", "\"alice\"", "\"\"",
                "\"a-b\"", "\"Ünï\"", "1e400", "\"\\u0000\"");
        Gen<String> key = Gen.of("owner", "name", "preset", "x", "");
        return Gen.recursive(scalar, inner -> Gen.oneOf(
                inner.list(0, 3).map(l -> "[" + String.join(",", l) + "]"),
                ((Gen<String>) random -> "\"" + key.next(random) + "\":" + inner.next(random)).list(0, 3)
                        .map(l -> "{" + String.join(",", l) + "}")), 0, 3);
    }

    /** Presets uploads: the setup's file, mutated ones, hostile parameters, token soup, nesting, invalid UTF-8. */
    static Gen<byte[]> presetsBody() {
        List<String> tokens = List.of("{", "}", "[", "]", ": ", "- ", "\n", "\t", "&a ", "*a", "!!binary ", "---\n",
                "~", "null", ".nan", "99999999999999999999", "-1", "1001", "\"\\0\"", "\"\\ud800\"", "ü", "😀",
                "'; drop table presets; --", "$(touch /tmp/warmpool-pwned)", "instances: ", "version: v2",
                "deleted: true", "deprecated: yes", "ttl: 3651d", "cron: \"* 8 31 2 *\"", "timezone: +02:00");
        Gen<Integer> kind = Gen.ints(0, 2);
        Gen<Double> where = Gen.doubles(0, 1);
        Gen<String> token = Gen.choose(tokens);
        Gen<Object[]> edit = random -> new Object[] {kind.next(random), where.next(random), token.next(random)};
        Gen<String> mutated = edit.list(1, 4).map(edits -> {
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
        Gen<String> template = Gen.of("new-t", "python-dev");
        Gen<String> version = Gen.of("v1", "v9");
        Gen<String> p1 = Gen.choose(BAD_TEXT).map(PresetsFileFuzz::doubleQuoted);
        Gen<String> p2 = Gen.anyStrings(20).map(PresetsFileFuzz::doubleQuoted);
        Gen<String> hostile = random -> "templates:\n  - name: " + template.next(random) + "\n    version: "
                + version.next(random) + "\n    presets:\n"
                + "      - name: p\n        parameters: {a: " + p1.next(random) + ", " + p2.next(random) + ": x}\n"
                + "        prebuilds: {instances: 0}\n";
        Gen<String> soup = Gen.choose(tokens).list(0, 30).map(l -> String.join("", l));
        Gen<String> nested = Gen.ints(1, 100_000).map(n -> "templates: " + "[".repeat(n));
        return Gen.frequency(
                Gen.weighted(1, Gen.constant(RealApi.PRESETS).map(ApiFuzzRequests::utf8)),
                Gen.weighted(6, mutated.map(ApiFuzzRequests::utf8)),
                Gen.weighted(4, hostile.map(ApiFuzzRequests::utf8)),
                Gen.weighted(2, soup.map(ApiFuzzRequests::utf8)),
                Gen.weighted(1, nested.map(ApiFuzzRequests::utf8)),
                Gen.weighted(1, Gen.bytes(60)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Gen<String> contentType() {
        return Gen.of("application/json", "application/json; charset=utf-8", "application/yaml", "text/plain",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "garbage", "");
    }

    static Gen<String> method() {
        return Gen.frequency(
                Gen.weighted(6, Gen.constant("GET")), Gen.weighted(6, Gen.constant("POST")),
                Gen.weighted(3, Gen.constant("DELETE")), Gen.weighted(1, Gen.of("PUT", "PATCH", "HEAD", "OPTIONS")));
    }

    /** A request at any route (or none), with any method, query, body and content type. */
    static Gen<Request> anyRequest(List<String> workspaces) {
        Gen<String> segment = segment();
        Gen<String> presetTail = Gen.of("", "/resume", "/invalidate", "/claims", "/x");
        Gen<String> workspaceId = workspaceId(workspaces);
        Gen<String> workspaceTail = Gen.of("", "/builds", "/x");
        Gen<String[]> target = Gen.oneOf(
                Gen.of("/api/v1/status", "/api/v1/plan", "/api/v1/presets", "/api/v1/reconciliation",
                        "/api/v1/reconciliation/pause", "/api/v1/reconciliation/resume", "/api/v1/workspaces",
                        "/healthz", "/readyz").map(p -> new String[] {p, p}),
                random -> {
                    String t = segment.next(random);
                    String p = segment.next(random);
                    String tail = presetTail.next(random);
                    return new String[] {"/api/v1/presets/" + t + "/" + p + tail, "/api/v1/presets/{template}/{preset}" + tail};
                },
                random -> {
                    String id = workspaceId.next(random);
                    String tail = workspaceTail.next(random);
                    return new String[] {"/api/v1/workspaces/" + id + tail, "/api/v1/workspaces/{id}" + tail};
                },
                segment.list(0, 5).map(l -> new String[] {"/api/" + String.join("/", l), "unknown"}),
                Gen.of("/api", "/api/", "/api/v1", "/api/v1/", "/api/v2/status", "/api/v1/status/",
                        "//api/v1/status", "/api/v1/presets/python-dev", "/api/v1/presets/python-dev/small/claims/x",
                        "/api/v1/./status", "/api/v1/presets/python-dev/%2e%2e/claims", "/api/v1/presets/a%2Fb/c",
                        "/API/V1/STATUS", "/api/v1/workspaces/%00", "/api/v1/presets/;x=1/small")
                        .map(p -> new String[] {p, "odd"}));
        Gen<String> method = method();
        Gen<String> query = query();
        Gen<byte[]> body = Gen.oneOf(claimBody(), presetsBody()).orNull(0.2);
        Gen<String> contentType = contentType();
        return random -> {
            String m = method.next(random);
            String[] t = target.next(random);
            String q = query.next(random);
            byte[] b = body.next(random);
            return new Request(m, t[0] + q, b, contentType.next(random), t[1]);
        };
    }

    /** Claims at real and hostile preset paths. */
    static Gen<Request> claims() {
        Gen<String> segment = segment();
        Gen<String> preset = Gen.frequency(
                Gen.weighted(3, Gen.constant("python-dev/small")),
                Gen.weighted(1, Gen.of("python-dev/empty", "nope/x", "python-dev/nope")),
                Gen.weighted(4, random -> segment.next(random) + "/" + segment.next(random)));
        Gen<String> type = Gen.frequency(Gen.weighted(3, Gen.constant("application/json")),
                Gen.weighted(1, contentType()));
        Gen<byte[]> body = claimBody();
        return random -> {
            String p = preset.next(random);
            return new Request("POST", "/api/v1/presets/" + p + "/claims", body.next(random), type.next(random),
                    "/api/v1/presets/{template}/{preset}/claims");
        };
    }

    /** Presets uploads with a {@code source} query parameter of any text. */
    static Gen<Request> presetUploads() {
        Gen<String> source = Gen.oneOf(Gen.constant(""),
                Gen.choose(BAD_TEXT).map(s -> "?source=" + encode(s)),
                Gen.anyStrings(30).map(s -> "?source=" + encode(s)),
                Gen.constant("?source=" + "s".repeat(201)));
        Gen<byte[]> body = presetsBody();
        Gen<String> type = Gen.of("application/yaml", "application/json", "");
        return random -> {
            byte[] b = body.next(random);
            String q = source.next(random);
            return new Request("POST", "/api/v1/presets" + q, b, type.next(random), "/api/v1/presets");
        };
    }

    /** A body just over {@code limit} bytes, on a route that reads bodies. */
    static Request oversized(String path, long limit) {
        return new Request("POST", path, new byte[(int) limit + 10], "application/json", "oversized");
    }
}
