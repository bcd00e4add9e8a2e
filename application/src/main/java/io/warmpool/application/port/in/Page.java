package io.warmpool.application.port.in;

import java.util.List;

/**
 * One page of a list (keyset pagination): its items, and the opaque cursor of the next page, or {@code null} when
 * this is the last. A cursor is given back as it was received; its format is not part of any contract.
 *
 * @param <T> the items' type
 */
public record Page<T>(List<T> items, String next) {

    public Page {
        items = List.copyOf(items);
    }
}
