package io.warmpool.adapters.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A request with a large body sent the way careful clients (curl) send one: headers with
 * {@code Expect: 100-continue} first, the body only after the server's {@code 100 Continue}. When the server
 * answers at once (a 413 for a body over its limit, a 401), the body is never sent, so the answer always arrives —
 * without asking, a 413 sent while a 16 MiB body is still on its way can reach the client as a reset connection.
 * (The JDK 17 client's {@code expectContinue(true)} waits forever for a 100 when the answer is final: JDK-8286171.)
 * HTTP/1.1 over a plain socket, for tests on loopback.
 */
public final class ExpectContinue {

    private ExpectContinue() {
    }

    /**
     * Sends {@code method pathAndQuery} to {@code base} with {@code body} and the header name/value pairs given.
     */
    public static HttpResponse<String> send(URI base, String method, String pathAndQuery, byte[] body, String... headers) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n")
                    .append("Expect: 100-continue\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            Parsed answer = read(in);
            if (answer.status() == 100) {
                out.write(body);
                out.flush();
                answer = read(in);
            }
            return answer.asResponse(URI.create(base.toString().replaceAll("/+$", "") + pathAndQuery), method);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " with Expect: 100-continue failed", e);
        }
    }

    private record Parsed(int status, Map<String, List<String>> headers, String body) {
        HttpResponse<String> asResponse(URI uri, String method) {
            HttpHeaders h = HttpHeaders.of(headers, (name, value) -> true);
            HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
            return new HttpResponse<>() {
                @Override
                public int statusCode() {
                    return status;
                }

                @Override
                public HttpRequest request() {
                    return request;
                }

                @Override
                public Optional<HttpResponse<String>> previousResponse() {
                    return Optional.empty();
                }

                @Override
                public HttpHeaders headers() {
                    return h;
                }

                @Override
                public String body() {
                    return body;
                }

                @Override
                public Optional<SSLSession> sslSession() {
                    return Optional.empty();
                }

                @Override
                public URI uri() {
                    return uri;
                }

                @Override
                public HttpClient.Version version() {
                    return HttpClient.Version.HTTP_1_1;
                }
            };
        }
    }

    /** One response: status line, headers, and a body of Content-Length bytes (or up to the end when closing). */
    private static Parsed read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP/1.1 status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        if (status == 100) {
            return new Parsed(status, headers, "");
        }
        String length = header(headers, "Content-Length");
        byte[] body;
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readAllBytes();
        }
        return new Parsed(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = buffer.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            buffer.write(b);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
    }
}
