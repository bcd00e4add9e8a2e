package io.warmpool.adapters.http.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.config.RoutesConfig;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 document of every route (API.md "The contract"), behind the API
 * token like every {@code /api} route. The document is kept in the repository as YAML ({@value #RESOURCE}, easier
 * to read and review) and served as JSON, converted once when the API is built: a document that is missing or not
 * YAML fails the start, never a request.
 */
public final class OpenApiRoute implements Resource {

    /** The route. */
    public static final String PATH = "/api/v1/openapi.json";
    /** Where the document is on the classpath (and, under {@code adapters-http/src/main/resources}, in the repo). */
    public static final String RESOURCE = "/io/warmpool/adapters/http/openapi.yaml";

    private final byte[] json;

    /** @throws UncheckedIOException when the document is missing or not valid YAML */
    public OpenApiRoute() {
        this.json = toJson(yaml());
    }

    /** The document's YAML text as kept in the repository. */
    public static String yaml() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("missing from the classpath: " + RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI document: " + e.getMessage(), e);
        }
    }

    /** The document as the route serves it: the YAML's data as JSON. */
    public static byte[] toJson(String yaml) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(RESOURCE).build()).loadFromString(yaml);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("the OpenAPI document is not YAML: " + e.getMessage(), e));
        }
        try {
            return Json.MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.status(200).contentType(Json.CONTENT_TYPE).result(json.clone()));
    }
}
