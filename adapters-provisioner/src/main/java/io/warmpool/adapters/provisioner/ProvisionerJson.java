package io.warmpool.adapters.provisioner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The request and reply JSON of the command and HTTP provisioners; the format is documented in package-info. */
final class ProvisionerJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ProvisionerJson() {
    }

    /** What a provisioner replied, once parsed. */
    record Reply(Map<String, String> outputs, boolean permanent, String error) {
        static final Reply EMPTY = new Reply(Map.of(), false, null);
    }

    /** The request as the documented JSON object, UTF-8, with sorted maps so equal requests give equal bytes. */
    static byte[] request(ProvisionRequest request) {
        return request(request, null);
    }

    /**
     * The request JSON, with {@code "callback_url"} after the documented members when {@code callbackUrl} is not
     * null (the http provisioner's creates and deletes, for receivers that answer {@code 202 Accepted}).
     */
    static byte[] request(ProvisionRequest request, String callbackUrl) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("transition", request.transition().wire());
        node.put("workspace_id", request.workspace().text());
        node.put("workspace_name", request.workspaceName());
        node.put("owner", request.owner());
        node.put("template", request.preset().template());
        node.put("template_version", request.preset().version());
        node.put("preset", request.preset().preset());
        ObjectNode parameters = node.putObject("parameters");
        new TreeMap<>(request.parameters()).forEach(parameters::put);
        ObjectNode outputs = node.putObject("outputs");
        new TreeMap<>(request.outputs()).forEach(outputs::put);
        node.put("attempt", request.attempt());
        if (request.agentToken() != null) {
            // R10 agent: the workspace's own token and the route its agent calls when it is ready (creates only)
            node.put("agent_token", request.agentToken());
            node.put("agent_ready_url", request.agentReadyUrl());
        }
        if (callbackUrl != null) {
            node.put("callback_url", callbackUrl);
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // A tree of strings and ints always serialises; reaching this is a bug, not an input problem.
            throw new IllegalStateException("cannot encode a provision request", e);
        }
    }

    /**
     * Parses a reply.
     *
     * @throws IllegalArgumentException with a short reason when the text is neither blank nor one JSON object
     *                                  (or its {@code outputs} member is not an object)
     */
    static Reply reply(String text) {
        if (text == null || text.isBlank()) {
            return Reply.EMPTY;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        // Only a JSON true counts: "permanent": "yes" is not a boolean and must not silently stop a preset.
        boolean permanent = root.path("permanent").isBoolean() && root.path("permanent").booleanValue();
        JsonNode errorNode = root.get("error");
        String error = errorNode != null && !errorNode.isNull() ? text(errorNode) : null;
        Map<String, String> outputs = new LinkedHashMap<>();
        JsonNode outputsNode = root.get("outputs");
        if (outputsNode != null) {
            if (!outputsNode.isObject()) {
                throw new IllegalArgumentException("\"outputs\" is not a JSON object");
            }
            collect(outputsNode, outputs, false);
        } else {
            collect(root, outputs, true);
        }
        return new Reply(outputs, permanent, error);
    }

    /** The shape a check's answer must have, for error messages. */
    static final String CHECK_SHAPE = "one JSON object {\"status\": " + Health.choices() + "}";

    /**
     * Parses a check's answer: one JSON object whose {@code "status"} is one of {@link Health}'s wire spellings,
     * with an optional {@code "error"} (its detail) and, with {@code "failed"} only, {@code "permanent": true}.
     *
     * @param log the log the result carries
     * @throws IllegalArgumentException with a short reason (what was wrong) when the text is not such an answer
     */
    static ProvisionResult.Checked check(String text, String log) {
        JsonNode root = object(text);
        JsonNode status = root.get("status");
        if (status == null || status.isNull()) {
            throw new IllegalArgumentException("a JSON object without \"status\"");
        }
        if (!status.isTextual()) {
            throw new IllegalArgumentException("a JSON object whose \"status\" is " + status + ", not a string");
        }
        String detail = root.hasNonNull("error") ? text(root.get("error")).strip() : "";
        Health health = Health.fromWire(status.textValue()).orElseThrow(() -> new IllegalArgumentException(
                "a JSON object whose \"status\" is \"" + status.textValue() + "\", not one of " + Health.choices()));
        boolean permanent = health == Health.FAILED && root.path("permanent").isBoolean()
                && root.path("permanent").booleanValue();
        return new ProvisionResult.Checked(health, detail, permanent, log);
    }

    /** {@code text} as one JSON object; otherwise a short reason (empty, not JSON, not an object). */
    private static JsonNode object(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return root;
    }

    /** The shape of a build's callback, for error messages. */
    static final String CALLBACK_SHAPE = "one JSON object {\"request_id\": \"build-<id>\", \"status\": \"succeeded\" | "
            + "\"failed\", \"outputs\": {…}, \"error\": \"…\", \"permanent\": false, \"log\": \"…\"}";

    /** A build's callback: which request it answers, and the outcome. */
    record Callback(String requestId, ProvisionResult result) {
    }

    /**
     * Parses a build's callback (documented in {@link HttpBuildCallbacks}): one JSON object with the build's
     * {@code "request_id"} and {@code "status"} ({@code "succeeded"} or {@code "failed"}); for a success, optional
     * {@code "outputs"} (an object, values as in a reply); for a failure, {@code "error"} (its message) and
     * {@code "permanent"} (a JSON boolean); {@code "log"}, a string, in both.
     *
     * @throws IllegalArgumentException with a short reason when the text is not such a callback
     */
    static Callback callback(String text) {
        JsonNode root = object(text);
        JsonNode id = root.get("request_id");
        if (id == null || !id.isTextual()) {
            throw new IllegalArgumentException("a JSON object without a string \"request_id\"");
        }
        JsonNode status = root.get("status");
        if (status == null || !status.isTextual()
                || !(status.textValue().equals("succeeded") || status.textValue().equals("failed"))) {
            throw new IllegalArgumentException("a JSON object whose \"status\" is not \"succeeded\" or \"failed\"");
        }
        JsonNode logNode = root.get("log");
        if (logNode != null && !logNode.isNull() && !logNode.isTextual()) {
            throw new IllegalArgumentException("a JSON object whose \"log\" is not a string");
        }
        String log = logNode == null || logNode.isNull() ? "" : logNode.textValue();
        if (status.textValue().equals("succeeded")) {
            Map<String, String> outputs = new LinkedHashMap<>();
            JsonNode outputsNode = root.get("outputs");
            if (outputsNode != null && !outputsNode.isNull()) {
                if (!outputsNode.isObject()) {
                    throw new IllegalArgumentException("\"outputs\" is not a JSON object");
                }
                collect(outputsNode, outputs, false);
            }
            return new Callback(id.textValue(), new ProvisionResult.Succeeded(outputs, log));
        }
        JsonNode permanentNode = root.get("permanent");
        if (permanentNode != null && !permanentNode.isNull() && !permanentNode.isBoolean()) {
            // "permanent": "yes" must not silently stop a preset, nor silently not.
            throw new IllegalArgumentException("\"permanent\" is not a JSON boolean");
        }
        String error = root.hasNonNull("error") ? text(root.get("error")).strip() : "";
        return new Callback(id.textValue(), new ProvisionResult.Failed(
                error.isEmpty() ? "the provisioner reported the build failed (no error given)" : error,
                permanentNode != null && permanentNode.booleanValue(), log));
    }

    /** Parses a reply, or {@code null} when it is not one (for failures, where a reply is optional). */
    static Reply replyOrNull(String text) {
        try {
            return reply(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void collect(JsonNode object, Map<String, String> into, boolean skipReserved) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (skipReserved && (name.equals("permanent") || name.equals("error"))) {
                continue;
            }
            if (!field.getValue().isNull()) {
                into.put(name, text(field.getValue()));
            }
        }
    }

    private static String text(JsonNode node) {
        return node.isValueNode() ? node.asText() : node.toString();
    }
}
