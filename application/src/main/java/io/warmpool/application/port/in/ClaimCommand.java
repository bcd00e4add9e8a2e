package io.warmpool.application.port.in;

import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.application.port.out.WorkspacePort;
import java.time.Duration;
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
 * @param maxWait        how long to wait for a prebuild when none is eligible on arrival (SPEC R12), at most
 *                       {@link #MAX_WAIT}; empty to fail at once. Not combined with an idempotency key (yet: a waiting
 *                       claim's statement does not store keys), which is rejected.
 */
public record ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<String> idempotencyKey,
                           Optional<Duration> maxWait) {

    /** The longest idempotency key. */
    public static final int IDEMPOTENCY_KEY_MAX_LENGTH = 255;

    /** The longest a claim may wait (SPEC R12). */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    /** A claim that does not wait. */
    public ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<String> idempotencyKey) {
        this(preset, owner, name, idempotencyKey, Optional.empty());
    }

    /**
     * This claim, waiting up to {@code maxWait} (empty: not waiting). Callers build a waiting claim this way rather
     * than with the canonical constructor, so that other optional parts of a claim can be added beside it.
     */
    public ClaimCommand withMaxWait(Optional<Duration> maxWait) {
        return new ClaimCommand(preset, owner, name, idempotencyKey, maxWait);
    }

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
        maxWait = maxWait == null ? Optional.empty() : maxWait;
        maxWait.ifPresent(w -> {
            if (w.isNegative() || w.isZero() || w.compareTo(MAX_WAIT) > 0) {
                throw new IllegalArgumentException("wait must be a positive duration of at most 10m, got " + w);
            }
        });
        if (idempotencyKey.isPresent() && maxWait.isPresent()) {
            throw new IllegalArgumentException("wait and Idempotency-Key cannot be combined: a waiting claim is not "
                    + "stored under a key; retry a keyed claim without wait, or wait without a key");
        }
    }

    /** A claim without an idempotency key. */
    public ClaimCommand(PresetRef preset, String owner, Optional<String> name) {
        this(preset, owner, name, Optional.empty(), Optional.empty());
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
