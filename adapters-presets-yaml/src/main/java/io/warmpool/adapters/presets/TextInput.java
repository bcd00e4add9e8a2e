package io.warmpool.adapters.presets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The one bounded reader of text inputs: presets files and uploads, {@code warmpool.yaml}, scenarios, the simulated
 * provisioner's file, secret files. Every input has a limit in bytes and must be UTF-8 text without NUL bytes.
 *
 * <p>Contract: a file whose size is known (a regular file) and above the limit is refused before a byte is read;
 * any other input (a device such as {@code /dev/zero}, a pipe, a request body without a length) is read at most to
 * limit + 1 bytes, and a NUL byte ends the read at once. So no input, however large or endless, is buffered beyond
 * its limit, and the refusal names the input: {@code NAME is larger than …} or {@code NAME is not a text file
 * (invalid UTF-8 at byte N)} / {@code (a NUL byte at byte N)}, N counted from 1 like {@code cmp} does.
 */
public final class TextInput {

    /** The largest presets file (or upload): 16 MiB, about 80,000 presets written out in full. */
    public static final long MAX_PRESETS_BYTES = 16L * 1024 * 1024;
    /** The largest configuration file, scenario or simulated provisioner file: 1 MiB. */
    public static final long MAX_CONFIG_BYTES = 1024L * 1024;
    /** The largest secret file (API token, database password, HMAC key): 64 KiB. */
    public static final long MAX_SECRET_BYTES = 64L * 1024;

    private static final int CHUNK = 64 * 1024;

    private TextInput() {
    }

    /** An input refused for its size or because it is not text; the message names the input. */
    public static final class RefusedException extends RuntimeException {

        /** Why. */
        public enum Reason { TOO_LARGE, NOT_TEXT }

        private final Reason reason;
        private final String name;
        private final String problem;

        RefusedException(Reason reason, String name, String problem) {
            super(name + " " + problem);
            this.reason = reason;
            this.name = name;
            this.problem = problem;
        }

        public Reason reason() {
            return reason;
        }

        /** How the input was named, e.g. the file's path. */
        public String name() {
            return name;
        }

        /** The message without the name, e.g. {@code is not a text file (a NUL byte at byte 1)}. */
        public String problem() {
            return problem;
        }
    }

    /**
     * Reads {@code file} as UTF-8 text.
     *
     * @throws RefusedException when it is larger than {@code maxBytes} or not text
     * @throws IOException      when it is missing, a directory or unreadable
     */
    public static String readFile(Path file, long maxBytes) throws IOException {
        Objects.requireNonNull(file, "file");
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            throw new IOException("is a directory");
        }
        if (attributes.isRegularFile() && attributes.size() > maxBytes) {
            throw tooLarge(file.toString(), maxBytes);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, maxBytes, file.toString());
        }
    }

    /**
     * Reads {@code in} to its end as UTF-8 text, at most {@code maxBytes}.
     *
     * @param name how a refusal names the input
     * @throws RefusedException when it is longer than {@code maxBytes} or not text
     */
    public static String read(InputStream in, long maxBytes, String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(CHUNK, maxBytes + 1));
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(chunk, 0, (int) Math.min(chunk.length, maxBytes + 1 - total))) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    throw notText(name, "a NUL byte at byte " + (total + i + 1));
                }
            }
            total += n;
            if (total > maxBytes) {
                throw tooLarge(name, maxBytes);
            }
            bytes.write(chunk, 0, n);
        }
        return decode(bytes.toByteArray(), name);
    }

    /**
     * Decodes {@code bytes} as UTF-8 text.
     *
     * @throws RefusedException when they are not UTF-8 or contain a NUL byte
     */
    public static String decode(byte[] bytes, String name) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw notText(name, "a NUL byte at byte " + (i + 1));
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw notText(name, "invalid UTF-8 at byte " + (in.position() + 1));
        }
        return out.flip().toString();
    }

    /** A refusal for an input known to be larger than {@code maxBytes} (e.g. from a request's Content-Length). */
    public static RefusedException tooLarge(String name, long maxBytes) {
        String exact = maxBytes + " bytes";
        String limit = describe(maxBytes);
        return new RefusedException(RefusedException.Reason.TOO_LARGE, name, "is larger than the limit of "
                + (limit.equals(exact) ? exact : limit + " (" + exact + ")"));
    }

    private static RefusedException notText(String name, String where) {
        return new RefusedException(RefusedException.Reason.NOT_TEXT, name, "is not a text file (" + where + ")");
    }

    /** Why a file could not be read, in words: "no such file", "permission denied", or the system's message. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String describe(long bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }
}
