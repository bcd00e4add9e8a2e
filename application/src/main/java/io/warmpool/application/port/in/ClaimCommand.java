package io.warmpool.application.port.in;

import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.application.port.out.WorkspacePort;
import java.util.Objects;
import java.util.Optional;

/**
 * A request for a ready workspace.
 *
 * @param owner          the user who gets it (a name; not the built-in prebuilds owner)
 * @param name           the workspace's new name, or empty to have one chosen
 * @param idempotencyKey the client's {@code Idempotency-Key} (SPEC R12), or empty: the same key within
 *                       24 hours answers the same workspace, never a second one;
 *                       1…{@value #IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters
 */
public record ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<String> idempotencyKey) {

    /** The longest idempotency key. */
    public static final int IDEMPOTENCY_KEY_MAX_LENGTH = 255;

    public ClaimCommand {
        Objects.requireNonNull(preset, "preset");
        Names.requireValid("owner", owner);
        if (WorkspacePort.PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("owner '" + owner + "' is reserved for unclaimed prebuilds");
        }
        name = name == null ? Optional.empty() : name;
        name.ifPresent(n -> Names.requireValid("name", n));
        idempotencyKey = idempotencyKey == null ? Optional.empty() : idempotencyKey;
        idempotencyKey.ifPresent(ClaimCommand::requireValidIdempotencyKey);
    }

    /** A claim without an idempotency key. */
    public ClaimCommand(PresetRef preset, String owner, Optional<String> name) {
        this(preset, owner, name, Optional.empty());
    }

    /**
     * Checks an idempotency key: 1…{@value #IDEMPOTENCY_KEY_MAX_LENGTH} characters, each a visible ASCII character
     * ({@code !} to {@code ~}: no spaces, no control characters), e.g. a UUID.
     *
     * @throws IllegalArgumentException naming the key and what is wrong with it
     */
    public static String requireValidIdempotencyKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("Idempotency-Key must not be empty");
        }
        if (key.length() > IDEMPOTENCY_KEY_MAX_LENGTH) {
            throw new IllegalArgumentException("Idempotency-Key must be at most " + IDEMPOTENCY_KEY_MAX_LENGTH
                    + " characters, got " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("Idempotency-Key must be visible ASCII characters ('!' to '~', "
                        + "no spaces), got the character U+" + String.format("%04X", (int) c) + " at position " + (i + 1));
            }
        }
        return key;
    }
}
