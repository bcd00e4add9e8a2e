package io.warmpool.adapters.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jooq.JSONB;

/** Flat string maps (parameters, outputs, event details) as jsonb objects. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    private static final JSONB EMPTY = JSONB.valueOf("{}");

    /** Sorted by key, so equal maps give equal documents. */
    static JSONB of(Map<String, String> map) {
        if (map.isEmpty()) {
            return EMPTY; // the usual outputs of a job: no need to run the encoder
        }
        try {
            return JSONB.valueOf(MAPPER.writeValueAsString(new TreeMap<>(map)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode as JSON", e);
        }
    }

    /**
     * Keeps insertion order (event details). A NUL (which jsonb refuses) becomes U+FFFD: details quote provisioner
     * errors, which may hold any bytes, and one such event must not make the whole batch fail to be recorded.
     */
    static JSONB ordered(Map<String, String> map) {
        Map<String, String> storable = new LinkedHashMap<>();
        map.forEach((k, v) -> storable.put(withoutNul(k), v == null ? null : withoutNul(v)));
        try {
            return JSONB.valueOf(MAPPER.writeValueAsString(storable));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode as JSON", e);
        }
    }

    private static String withoutNul(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    /** A jsonb object back as a map of text values (non-text values are given as their JSON text). */
    static Map<String, String> map(JSONB json) {
        if (json == null) {
            return Map.of();
        }
        try {
            Map<String, Object> raw = MAPPER.readValue(json.data(), MAP);
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : raw.entrySet()) {
                Object v = e.getValue();
                out.put(e.getKey(), v == null ? "" : v instanceof String s ? s : MAPPER.writeValueAsString(v));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not an object", e);
        }
    }
}
