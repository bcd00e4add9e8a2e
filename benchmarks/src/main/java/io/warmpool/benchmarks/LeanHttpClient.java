package io.warmpool.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive connection, for one thread: it writes a request and reads
 * the status line, the headers and a {@code Content-Length} (or chunked) body on the calling thread. The load
 * generator of the REST benchmark, as light on the shared CPU as pgbench is for the baseline — the JDK's
 * {@code HttpClient} hands every response from its selector thread to an executor and then to the caller, which on
 * two cores costs more CPU than the request it measures. Reconnects when the server has closed the connection.
 */
final class LeanHttpClient implements AutoCloseable {

    /** A response: its status code and its body as UTF-8 text. */
    record Response(int status, String body) {
    }

    private final InetSocketAddress server;
    private final String host;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    LeanHttpClient(InetSocketAddress server) {
        this.server = server;
        this.host = server.getHostString() + ":" + server.getPort();
    }

    Response post(String path, String authorization, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        boolean fresh = socket == null;
        try {
            return exchange(head, body);
        } catch (IOException e) {
            close();
            if (fresh) {
                throw e;
            }
            return exchange(head, body); // the server closed an idle keep-alive connection: once more on a new one
        }
    }

    private Response exchange(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(server, 10_000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = socket.getOutputStream();
        }
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        out.write(request);
        out.flush();
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before the status line");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String header = line(); header != null && !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Integer.parseInt(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closing = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        String text;
        if (chunked) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().trim().split(";")[0], 16); size > 0;
                 size = Integer.parseInt(line().trim().split(";")[0], 16)) {
                all.write(in.readNBytes(size));
                line(); // the CRLF after the chunk
            }
            for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                // trailers are ignored
            }
            text = all.toString(StandardCharsets.UTF_8);
        } else if (length >= 0) {
            text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } else {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            closing = true;
        }
        if (closing) {
            close();
        }
        return new Response(status, text);
    }

    /** One header line without its CRLF; null at the end of the stream. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
