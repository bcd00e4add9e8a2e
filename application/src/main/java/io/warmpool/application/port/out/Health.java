package io.warmpool.application.port.out;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a provisioner's {@code check} answered about a workspace (R10 readiness, R11 liveness). */
public enum Health {
    /** Usable: eligible once ready (R10); a healthy idle prebuild (R11). */
    READY,
    /** Not ready yet; ask again later (R10). */
    STARTING,
    /** Exists but does not work; {@code unhealthy_after} of these in a row make it unhealthy (R11). */
    UNHEALTHY,
    /** No longer exists: one of these makes it unhealthy (R11). */
    GONE,
    /** Will never become ready: the create counts as failed (R10), permanently when the answer says so. */
    FAILED;

    /** The answer as spelled on the wire: {@code ready}, {@code starting}, … */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The health spelled {@code text} on the wire (exactly, lower case), if any. */
    public static Optional<Health> fromWire(String text) {
        return Arrays.stream(values()).filter(h -> h.wire().equals(text)).findFirst();
    }

    /** Every wire spelling, for error messages: {@code "ready" | "starting" | …}. */
    public static String choices() {
        return Arrays.stream(values()).map(h -> "\"" + h.wire() + "\"").collect(Collectors.joining(" | "));
    }
}
