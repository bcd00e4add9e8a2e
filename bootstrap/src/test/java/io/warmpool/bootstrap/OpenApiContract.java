package io.warmpool.bootstrap;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The OpenAPI 3.1 document of the API as a checker of real requests and answers: which documented operation a
 * request is for, and whether the request (path, query and header parameters, security, body) and the answer (status,
 * headers, content type, body) are what the document says. The document is read and checked by swagger-parser
 * (structure, references); bodies and parameters are validated by networknt's json-schema-validator with the OpenAPI
 * 3.1 dialect of JSON Schema 2020-12, every schema addressed by its JSON pointer inside the one document so that its
 * {@code $ref}s resolve as they would for any client.
 *
 * <p>Every finding is a {@link Violation}: the operation, the status, where (request or response, and which part),
 * the JSON pointer in the body (or the parameter's name) and the validator's message.
 */
final class OpenApiContract {

    /** The IRI the document is registered under; only a name (nothing is fetched). */
    private static final String BASE = "https://warmpool.example/openapi.json";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One finding: {@code GET /api/v1/status → 200: response body /presets/0/status: does not have a value in the enumeration}. */
    record Violation(String operation, int status, String where, String pointer, String message) {
        @Override
        public String toString() {
            return operation + " → " + (status == 0 ? "(request)" : status) + ": " + where
                    + (pointer.isEmpty() ? "" : " " + pointer) + ": " + message;
        }
    }

    /** A documented operation: {@code method} upper case, {@code path} as the document (and Javalin) writes it. */
    record Operation(String method, String path, Pattern regex, List<String> names, JsonNode node, String pointer,
                     JsonNode pathItem, String pathItemPointer) {
        String key() {
            return method + " " + path;
        }
    }

    /** A request as sent: the path without the query, the raw query (or null), headers (names any case), body. */
    record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    }

    /** An answer as received. */
    record Response(int status, Map<String, List<String>> headers, String body) {
    }

    private final JsonNode document;
    private final List<String> parserMessages;
    private final List<Operation> operations = new ArrayList<>();
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(String json) {
        this.document = JSON.readTree(json);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json, null, options);
        List<String> messages = new ArrayList<>(parsed.getMessages() == null ? List.of() : parsed.getMessages());
        if (parsed.getOpenAPI() == null) {
            messages.add("swagger-parser read no OpenAPI document");
        } else if (parsed.getOpenAPI().getSpecVersion() != io.swagger.v3.oas.models.SpecVersion.V31) {
            messages.add("not read as OpenAPI 3.1 but " + parsed.getOpenAPI().getSpecVersion());
        }
        this.parserMessages = List.copyOf(messages);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b
                .schemas(Map.of(BASE, json))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER)
                        .formatAssertionsEnabled(true).locale(Locale.ROOT).build()));
        document.path("paths").properties().forEach(p -> {
            String path = p.getKey();
            String itemPointer = "/paths/" + escape(path);
            for (String method : METHODS) {
                JsonNode op = p.getValue().get(method);
                if (op != null) {
                    List<String> names = new ArrayList<>();
                    Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path);
                    StringBuilder regex = new StringBuilder();
                    int last = 0;
                    while (m.find()) {
                        regex.append(Pattern.quote(path.substring(last, m.start()))).append("([^/]+)");
                        names.add(m.group(1));
                        last = m.end();
                    }
                    regex.append(Pattern.quote(path.substring(last)));
                    operations.add(new Operation(method.toUpperCase(Locale.ROOT), path, Pattern.compile(regex.toString()),
                            List.copyOf(names), op, itemPointer + "/" + method, p.getValue(), itemPointer));
                }
            }
        });
    }

    static OpenApiContract of(String json) {
        return new OpenApiContract(json);
    }

    /** What swagger-parser found wrong with the document (errors and warnings); empty when it is a valid 3.1 document. */
    List<String> parserMessages() {
        return parserMessages;
    }

    JsonNode document() {
        return document;
    }

    /** {@code METHOD /path} of every documented operation, sorted. */
    TreeSet<String> operationKeys() {
        TreeSet<String> keys = new TreeSet<>();
        operations.forEach(o -> keys.add(o.key()));
        return keys;
    }

    /** The statuses an operation documents. */
    List<Integer> statuses(Operation op) {
        List<Integer> out = new ArrayList<>();
        op.node().path("responses").propertyNames().forEach(s -> out.add(Integer.parseInt(s)));
        return out;
    }

    /**
     * The operation a request is for: the path templates that match, the one with the most literal characters
     * first (so {@code /api/v1/presets/{template}/{preset}} does not take {@code /api/v1/presets/x/y/claims}).
     */
    Optional<Operation> operation(String method, String path) {
        return operations.stream().filter(o -> o.method().equals(method) && o.regex().matcher(path).matches())
                .max(Comparator.comparingInt(o -> o.path().replaceAll("\\{[^}]+}", "").length()));
    }

    /** Everything the document says the request should have been and was not. */
    List<Violation> checkRequest(Operation op, Request request) {
        List<Violation> out = new ArrayList<>();
        Matcher m = op.regex().matcher(request.path());
        if (!m.matches()) {
            throw new IllegalArgumentException(request.path() + " is not " + op.key());
        }
        Map<String, Param> params = parameters(op);
        // path
        for (int i = 0; i < op.names().size(); i++) {
            String name = op.names().get(i);
            Param p = params.get("path:" + name);
            if (p == null) {
                out.add(new Violation(op.key(), 0, "request path parameter", name, "not described in the document"));
                continue;
            }
            validateValue(op, 0, "request path parameter", name, p, decode(m.group(i + 1)), out);
        }
        // query
        Map<String, List<String>> query = query(request.query());
        query.forEach((name, values) -> {
            Param p = params.get("query:" + name);
            if (p == null) {
                out.add(new Violation(op.key(), 0, "request query parameter", name, "not a parameter of this operation"));
            } else if (values.size() > 1) {
                out.add(new Violation(op.key(), 0, "request query parameter", name, "given " + values.size() + " times"));
            } else {
                validateValue(op, 0, "request query parameter", name, p, values.get(0), out);
            }
        });
        params.values().stream().filter(p -> p.in().equals("query") && p.required() && !query.containsKey(p.name()))
                .forEach(p -> out.add(new Violation(op.key(), 0, "request query parameter", p.name(), "required, missing")));
        // headers
        for (Param p : params.values()) {
            if (!p.in().equals("header")) {
                continue;
            }
            List<String> values = header(request.headers(), p.name());
            if (values.isEmpty()) {
                if (p.required()) {
                    out.add(new Violation(op.key(), 0, "request header", p.name(), "required, missing"));
                }
            } else {
                validateValue(op, 0, "request header", p.name(), p, values.get(0), out);
            }
        }
        // security
        JsonNode security = op.node().has("security") ? op.node().get("security") : document.path("security");
        if (!security.isEmpty()) {
            boolean satisfied = false;
            List<String> alternatives = new ArrayList<>();
            for (JsonNode requirement : security) {
                boolean all = true;
                for (String scheme : requirement.propertyNames()) {
                    alternatives.add(scheme);
                    all &= satisfies(request, scheme);
                }
                satisfied |= all;
            }
            if (!satisfied) {
                out.add(new Violation(op.key(), 0, "request security", "", "no credential of " + alternatives));
            }
        }
        // body
        JsonNode requestBody = deref(op.node().path("requestBody"));
        boolean hasBody = request.body() != null && request.body().length > 0;
        if (requestBody.isMissingNode()) {
            if (hasBody) {
                out.add(new Violation(op.key(), 0, "request body", "", "this operation takes no body"));
            }
            return out;
        }
        if (!hasBody) {
            if (requestBody.path("required").asBoolean(false)) {
                out.add(new Violation(op.key(), 0, "request body", "", "required, missing"));
            }
            return out;
        }
        String type = header(request.headers(), "Content-Type").stream().findFirst().orElse("");
        String media = mediaType(type);
        String pointer = pointerOf(op.node().path("requestBody"), op.pointer() + "/requestBody");
        if (!requestBody.path("content").has(media)) {
            out.add(new Violation(op.key(), 0, "request Content-Type", "", "'" + type + "' is not one of "
                    + requestBody.path("content").propertyNames()));
            return out;
        }
        if (isJson(media)) {
            validateJson(op, 0, "request body", pointer + "/content/" + escape(media) + "/schema",
                    new String(request.body(), StandardCharsets.UTF_8), out);
        }
        return out;
    }

    /** Everything the document says the answer should have been and was not. */
    List<Violation> checkResponse(Operation op, Response response) {
        List<Violation> out = new ArrayList<>();
        int status = response.status();
        JsonNode declared = op.node().path("responses").get(Integer.toString(status));
        if (declared == null) {
            out.add(new Violation(op.key(), status, "response status", "", "not documented; documented: "
                    + op.node().path("responses").propertyNames()));
            return out;
        }
        String pointer = pointerOf(declared, op.pointer() + "/responses/" + status);
        JsonNode resolved = deref(declared);
        resolved.path("headers").properties().forEach(h -> {
            JsonNode header = deref(h.getValue());
            List<String> values = header(response.headers(), h.getKey());
            if (values.isEmpty()) {
                if (header.path("required").asBoolean(false)) {
                    out.add(new Violation(op.key(), status, "response header", h.getKey(), "required, missing"));
                }
                return;
            }
            String headerPointer = pointerOf(h.getValue(), pointer + "/headers/" + escape(h.getKey())) + "/schema";
            validateValue(op, status, "response header", h.getKey(),
                    new Param(h.getKey(), "header", false, schemaNode(headerPointer), headerPointer), values.get(0), out);
        });
        JsonNode content = resolved.path("content");
        boolean hasBody = response.body() != null && !response.body().isEmpty();
        if (content.isMissingNode() || content.isEmpty()) {
            if (hasBody) {
                out.add(new Violation(op.key(), status, "response body", "", "documented without content, got "
                        + response.body().length() + " characters"));
            }
            return out;
        }
        String type = header(response.headers(), "Content-Type").stream().findFirst().orElse("");
        String media = mediaType(type);
        if (!content.has(media)) {
            out.add(new Violation(op.key(), status, "response Content-Type", "", "'" + type + "' is not one of "
                    + content.propertyNames()));
            return out;
        }
        if (isJson(media)) {
            validateJson(op, status, "response body", pointer + "/content/" + escape(media) + "/schema",
                    response.body(), out);
        }
        return out;
    }

    // ---- parameters -------------------------------------------------------------------------------------------

    private record Param(String name, String in, boolean required, JsonNode schema, String schemaPointer) {
    }

    /** The operation's parameters over its path item's, keyed {@code in:name} (header names lower case). */
    private Map<String, Param> parameters(Operation op) {
        Map<String, Param> out = new LinkedHashMap<>();
        addParameters(op.pathItem().path("parameters"), op.pathItemPointer() + "/parameters", out);
        addParameters(op.node().path("parameters"), op.pointer() + "/parameters", out);
        return out;
    }

    private void addParameters(JsonNode list, String listPointer, Map<String, Param> out) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode raw = list.get(i);
            String pointer = pointerOf(raw, listPointer + "/" + i);
            JsonNode p = deref(raw);
            String in = p.path("in").asString();
            String name = p.path("name").asString();
            String key = in + ":" + (in.equals("header") ? name.toLowerCase(Locale.ROOT) : name);
            out.put(key, new Param(name, in, p.path("required").asBoolean(false), p.path("schema"), pointer + "/schema"));
        }
    }

    /** A parameter's text checked against its schema: as a number or boolean where the schema's type says so. */
    private void validateValue(Operation op, int status, String where, String name, Param p, String text,
                               List<Violation> out) {
        JsonNode schema = deref(p.schema());
        String type = schema.path("type").isString() ? schema.path("type").asString() : "";
        JsonNode value = NODES.stringNode(text);
        if ((type.equals("integer") || type.equals("number")) && text.matches("-?[0-9]+")) {
            value = NODES.numberNode(new java.math.BigInteger(text));
        } else if (type.equals("number") && text.matches("-?[0-9]+\\.[0-9]+")) {
            value = NODES.numberNode(new java.math.BigDecimal(text));
        } else if (type.equals("boolean") && (text.equals("true") || text.equals("false"))) {
            value = NODES.booleanNode(Boolean.parseBoolean(text));
        }
        for (Error e : schema(p.schemaPointer()).validate(value)) {
            out.add(new Violation(op.key(), status, where, name, "'" + abbreviate(text) + "': " + e.getMessage()));
        }
    }

    private void validateJson(Operation op, int status, String where, String schemaPointer, String text,
                              List<Violation> out) {
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (JacksonException e) {
            out.add(new Violation(op.key(), status, where, "", "not JSON: " + abbreviate(text)));
            return;
        }
        List<Error> errors = schema(schemaPointer).validate(body);
        for (Error e : errors) {
            String at = at(e);
            // A property that failed inside a $ref'd schema leaves its siblings "not evaluated" as well: those
            // follow-on errors of unevaluatedProperties only repeat the real one, so they are left out.
            boolean followOn = "unevaluatedProperties".equals(e.getKeyword()) && errors.stream()
                    .anyMatch(o -> !"unevaluatedProperties".equals(o.getKeyword()) && at(o).startsWith(at));
            if (!followOn) {
                out.add(new Violation(op.key(), status, where, at.isEmpty() ? "/" : at, e.getMessage()));
            }
        }
    }

    private static String at(Error e) {
        return e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
    }

    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p)));
    }

    private JsonNode schemaNode(String pointer) {
        return document.at(pointer);
    }

    // ---- document navigation ----------------------------------------------------------------------------------

    /** A node, or what its local {@code $ref} points to (followed until a node without one). */
    private JsonNode deref(JsonNode node) {
        JsonNode current = node;
        for (int i = 0; i < 10 && current.has("$ref") && current.path("$ref").asString().startsWith("#/components/")
                && !current.path("$ref").asString().startsWith("#/components/schemas/"); i++) {
            current = document.at(current.path("$ref").asString().substring(1));
        }
        return current;
    }

    /** The pointer of what a node stands for: its {@code $ref}'s target for a reference to a component. */
    private String pointerOf(JsonNode node, String pointer) {
        String current = pointer;
        JsonNode n = node;
        for (int i = 0; i < 10 && n.has("$ref") && n.path("$ref").asString().startsWith("#/components/")
                && !n.path("$ref").asString().startsWith("#/components/schemas/"); i++) {
            current = n.path("$ref").asString().substring(1);
            n = document.at(current);
        }
        return current;
    }

    private boolean satisfies(Request request, String scheme) {
        JsonNode s = document.path("components").path("securitySchemes").path(scheme);
        String type = s.path("type").asString();
        if (type.equals("http") && s.path("scheme").asString().equalsIgnoreCase("bearer")) {
            return header(request.headers(), "Authorization").stream()
                    .anyMatch(h -> h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7);
        }
        if (type.equals("apiKey") && s.path("in").asString().equals("cookie")) {
            String name = s.path("name").asString() + "=";
            return header(request.headers(), "Cookie").stream().anyMatch(c -> c.contains(name));
        }
        if (type.equals("apiKey") && s.path("in").asString().equals("header")) {
            return !header(request.headers(), s.path("name").asString()).isEmpty();
        }
        return false;
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isJson(String media) {
        return media.equals("application/json") || media.endsWith("+json");
    }

    private static List<String> header(Map<String, List<String>> headers, String name) {
        List<String> out = new ArrayList<>();
        headers.forEach((k, v) -> {
            if (k.equalsIgnoreCase(name)) {
                out.addAll(v);
            }
        });
        return out;
    }

    private static Map<String, List<String>> query(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
