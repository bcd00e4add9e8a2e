package io.warmpool.adapters.provisioner;

import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;

/**
 * Keeps the last {@code capacity} bytes written to it and counts all of them, so a process can print gigabytes
 * while the build log stays bounded. Thread-safe: one pump writes while another thread may read.
 */
final class BoundedTail {

    private final byte[] ring;
    private long total;

    BoundedTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.ring = new byte[capacity];
    }

    synchronized void write(byte[] data, int offset, int length) {
        // Only the last ring.length bytes of a long write can survive; skip the rest without copying.
        int skip = Math.max(0, length - ring.length);
        long position = total + skip;
        for (int i = offset + skip; i < offset + length; ) {
            int at = (int) (position % ring.length);
            int chunk = Math.min(offset + length - i, ring.length - at);
            System.arraycopy(data, i, ring, at, chunk);
            i += chunk;
            position += chunk;
        }
        total += length;
    }

    /** Every byte ever written, including those no longer kept. */
    synchronized long total() {
        return total;
    }

    synchronized boolean truncated() {
        return total > ring.length;
    }

    /** The kept bytes, oldest first. */
    synchronized byte[] bytes() {
        int kept = (int) Math.min(total, ring.length);
        byte[] out = new byte[kept];
        int start = (int) ((total - kept) % ring.length);
        int first = Math.min(kept, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, kept - first);
        return out;
    }

    /**
     * The kept bytes as UTF-8 text. When older bytes were dropped the cut may fall inside a character; the
     * partial character at the start is skipped rather than shown as garbage.
     */
    String text() {
        byte[] bytes = bytes();
        int from = 0;
        if (truncated()) {
            while (from < bytes.length && from < 3 && (bytes[from] & 0xC0) == 0x80) {
                from++;
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder never throws", e);
        }
    }
}
