package io.warmpool.domain.plan;

import java.util.Objects;

/** A running prebuild that is expired, and why (SPEC R1). */
public record Expired(Prebuild prebuild, ExpiryReason reason) {

    public Expired {
        Objects.requireNonNull(prebuild, "prebuild");
        Objects.requireNonNull(reason, "reason");
    }
}
