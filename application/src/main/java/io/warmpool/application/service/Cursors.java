package io.warmpool.application.service;

import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.WorkspaceId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The opaque cursors of the paginated lists: base64url (no padding) of {@code w1|<createdAt ISO-8601>|<uuid>} for
 * workspaces, {@code b1|<build id>} for builds: where the previous page ended, in the list's stable order. A cursor
 * that is not one a list gave (or of another list) is refused with {@link IllegalArgumentException} (400).
 */
final class Cursors {

    private static final String WORKSPACE = "w1";
    private static final String BUILD = "b1";
    private static final int MAX_LENGTH = 200;

    private Cursors() {
    }

    static String workspace(WorkspacePort.ListKey key) {
        return encode(WORKSPACE + "|" + key.createdAt() + "|" + key.id().text());
    }

    static WorkspacePort.ListKey workspace(String cursor) {
        String[] parts = decode(cursor, WORKSPACE, 3);
        try {
            return new WorkspacePort.ListKey(Instant.parse(parts[1]), WorkspaceId.parse(parts[2]));
        } catch (RuntimeException e) {
            throw invalid();
        }
    }

    static String build(long id) {
        return encode(BUILD + "|" + id);
    }

    static long build(String cursor) {
        String[] parts = decode(cursor, BUILD, 2);
        try {
            long id = Long.parseLong(parts[1]);
            if (id < 1) {
                throw invalid();
            }
            return id;
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor, String kind, int parts) {
        if (cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            throw invalid();
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        String[] split = text.split("\\|", -1);
        if (split.length != parts || !split[0].equals(kind)) {
            throw invalid();
        }
        return split;
    }

    private static IllegalArgumentException invalid() {
        return new IllegalArgumentException("cursor is not valid here: give the 'next' of a previous page of this list");
    }
}
