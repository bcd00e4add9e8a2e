package io.warmpool.application.fakes;

import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.domain.WorkspaceId;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic workspace ids {@code 00000001-0000-4000-8000-000000000001}, {@code 00000002-…}, …: the number sits
 * in the first eight hex digits too, so ids sort by their text in the order they were made and the
 * {@code <preset>-<first 8 hex>} default claim names stay distinct.
 */
public final class SequentialIds implements IdGeneratorPort {

    private final AtomicLong next;

    public SequentialIds() {
        this(1);
    }

    /** Starts at {@code first}; use a different start per fixture when a test needs ids from two sources. */
    public SequentialIds(long first) {
        this.next = new AtomicLong(first);
    }

    @Override
    public WorkspaceId newWorkspaceId() {
        return id(next.getAndIncrement());
    }

    /** The {@code n}-th id this generator makes (from 1), for tests that seed workspaces by hand. */
    public static WorkspaceId id(long n) {
        if (n < 0 || n > 0xffff_ffffL) {
            throw new IllegalArgumentException("n out of range: " + n);
        }
        return new WorkspaceId(UUID.fromString(String.format("%08x-0000-4000-8000-%012x", n, n)));
    }
}
