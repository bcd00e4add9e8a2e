package io.warmpool.domain.plan;

/** Why a running prebuild is expired (SPEC R1); {@link #INVALIDATED} wins when both hold. */
public enum ExpiryReason {
    EXPIRED,
    INVALIDATED;

    DeleteReason deleteReason() {
        return this == EXPIRED ? DeleteReason.EXPIRED : DeleteReason.INVALIDATED;
    }
}
