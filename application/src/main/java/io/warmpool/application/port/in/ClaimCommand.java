package io.warmpool.application.port.in;

import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.application.port.out.WorkspacePort;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

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
 * @param parameters     the claim's own parameters (SPEC R12), passed to the provisioner's claim transition (per
 *                       user, not the preset's); at most {@value #MAX_PARAMETERS}, each name
 *                       {@value #PARAMETER_NAME_PATTERN} and each value at most {@value #MAX_PARAMETER_VALUE_LENGTH}
 *                       characters without control characters other than tab and newline
 */
public record ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<String> idempotencyKey,
                           Optional<Duration> maxWait, Map<String, String> parameters) {

    /** The most parameters a claim may carry. */
    public static final int MAX_PARAMETERS = 64;
    /** What a parameter's name looks like: a letter, then up to 63 letters, digits, {@code _ . -}. */
    public static final String PARAMETER_NAME_PATTERN = "[A-Za-z][A-Za-z0-9_.-]{0,63}";
    /** The longest parameter value, in characters. */
    public static final int MAX_PARAMETER_VALUE_LENGTH = 4096;
    private static final Pattern PARAMETER_NAME = Pattern.compile(PARAMETER_NAME_PATTERN);

    /** A claim without parameters. */
    public ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<String> idempotencyKey,
                        Optional<Duration> maxWait) {
        this(preset, owner, name, idempotencyKey, maxWait, Map.of());
    }

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
        return new ClaimCommand(preset, owner, name, idempotencyKey, maxWait, parameters);
    }

    /** This claim with {@code parameters} (SPEC R12), checked as the constructor checks them. */
    public ClaimCommand withParameters(Map<String, String> parameters) {
        return new ClaimCommand(preset, owner, name, idempotencyKey, maxWait, parameters);
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
        parameters = requireValidParameters(parameters);
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
     * Checks a claim's parameters (see the record's {@code parameters}); null is none.
     *
     * @return an unmodifiable copy, ordered by name
     * @throws IllegalArgumentException naming the parameter and what is wrong with it
     */
    public static Map<String, String> requireValidParameters(Map<String, String> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            return Map.of();
        }
        if (parameters.size() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("parameters: at most " + MAX_PARAMETERS + " are allowed, got " + parameters.size());
        }
        Map<String, String> out = new TreeMap<>();
        parameters.forEach((k, v) -> {
            if (k == null || !PARAMETER_NAME.matcher(k).matches()) {
                throw new IllegalArgumentException("parameters: the name '" + k + "' is not valid: a parameter name is a "
                        + "letter followed by at most 63 letters, digits, '_', '.' or '-'");
            }
            if (v == null) {
                throw new IllegalArgumentException("parameters." + k + " must be a text value, got null");
            }
            if (v.length() > MAX_PARAMETER_VALUE_LENGTH) {
                throw new IllegalArgumentException("parameters." + k + " must be at most " + MAX_PARAMETER_VALUE_LENGTH
                        + " characters, got " + v.length());
            }
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                    throw new IllegalArgumentException("parameters." + k + " must not contain control characters, got U+"
                            + String.format("%04X", (int) c) + " at position " + (i + 1));
                }
            }
            out.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(out);
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
