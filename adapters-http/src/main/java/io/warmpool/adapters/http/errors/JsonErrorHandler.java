package io.warmpool.adapters.http.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.HttpStatus;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Problem;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error handler for what Jetty itself rejects before Javalin sees it (a path with %00 or an encoded '/', a
 * malformed request line or header): an RFC 9457 problem with the status Jetty chose, never HTML and never a stack
 * trace. Jetty's reason is used when it is a short printable text (its reasons are fixed phrases such as "Ambiguous
 * URI path encoding"); the request's own text is never echoed.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() < 400 ? 500 : response.getStatus();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        // Jetty drops the connection after a request it rejects this early, without saying so; a client that
        // reuses it would see its next request fail with no answer at all. Say so.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Object reason = request.getAttribute(ERROR_MESSAGE);
        response.write(true, ByteBuffer.wrap(body(status, reason == null ? null : reason.toString())), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int status, String reason) {
        String what = reason != null && reason.length() <= 120 && reason.chars().allMatch(c -> c >= 0x20 && c < 0x7f)
                ? reason : HttpStatus.forStatus(status).getMessage();
        String message = "request rejected before routing: " + what.toLowerCase(Locale.ROOT);
        try {
            return Json.MAPPER.writeValueAsBytes(Problem.forStatus(status, message));
        } catch (JsonProcessingException e) {
            return Json.fallbackError();
        }
    }
}
