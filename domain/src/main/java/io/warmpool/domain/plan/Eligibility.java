package io.warmpool.domain.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Which running prebuilds of a preset are expired at an instant (SPEC R1), stated as bounds on
 * {@code createdAt} so that a database adapter can apply the same rule in a query (claims).
 *
 * <p>A running prebuild is eligible ⇔ the preset is active, and {@code createdAt > expiredAtOrBefore}
 * (when the preset has a TTL) and {@code createdAt ≥ invalidatedAt} (when it was ever invalidated).
 *
 * @param expiredAtOrBefore prebuilds created at or before this instant are expired by TTL ({@code now − ttl}); {@code null} without TTL
 * @param invalidatedAt     prebuilds created strictly before this instant are invalidated; {@code null} when never invalidated
 */
public record Eligibility(Instant expiredAtOrBefore, Instant invalidatedAt) {

    /** The bounds for a preset with {@code ttl} ({@code ZERO} = none) and {@code invalidatedAt} at {@code now}. */
    public static Eligibility at(Duration ttl, Instant invalidatedAt, Instant now) {
        Instant ttlBound = ttl == null || ttl.isZero() ? null : now.minus(ttl);
        return new Eligibility(ttlBound, invalidatedAt);
    }

    /** Why {@code createdAt} is expired, empty when it is not; {@code INVALIDATED} wins when both hold. */
    public Optional<ExpiryReason> expiry(Instant createdAt) {
        return Optional.ofNullable(reason(createdAt));
    }

    /**
     * {@link #expiry} without the {@code Optional}: the reason, or {@code null} when {@code createdAt} is eligible.
     * Both bounds are lower bounds on {@code createdAt}, so whatever is older than an expired instant is expired too.
     */
    ExpiryReason reason(Instant createdAt) {
        if (invalidatedAt != null && createdAt.isBefore(invalidatedAt)) {
            return ExpiryReason.INVALIDATED;
        }
        if (expiredAtOrBefore != null && !createdAt.isAfter(expiredAtOrBefore)) {
            return ExpiryReason.EXPIRED;
        }
        return null;
    }
}
