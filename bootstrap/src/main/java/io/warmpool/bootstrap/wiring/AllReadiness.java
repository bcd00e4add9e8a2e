package io.warmpool.bootstrap.wiring;

import io.warmpool.adapters.http.ReadinessCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code /readyz} and {@code /healthz} made of parts, checked in order: the first part that is not ready (or not live)
 * answers, with its reason, and the parts after it are not asked (the database first: when it is down, the parts
 * that read it would only wait for it). Ready: every part's detail, joined.
 */
final class AllReadiness implements ReadinessCheck {

    private final List<ReadinessCheck> parts;

    AllReadiness(List<ReadinessCheck> parts) {
        this.parts = List.copyOf(parts);
        if (this.parts.isEmpty()) {
            throw new IllegalArgumentException("at least one readiness part");
        }
    }

    @Override
    public Result check() {
        List<String> details = new ArrayList<>(parts.size());
        for (ReadinessCheck part : parts) {
            Result r = Objects.requireNonNull(part.check(), "readiness result");
            if (!r.ready()) {
                return r;
            }
            details.add(r.detail());
        }
        return Result.ready(String.join("; ", details));
    }

    @Override
    public Result live() {
        for (ReadinessCheck part : parts) {
            Result r = Objects.requireNonNull(part.live(), "liveness result");
            if (!r.ready()) {
                return r;
            }
        }
        return Result.ready("ok");
    }
}
