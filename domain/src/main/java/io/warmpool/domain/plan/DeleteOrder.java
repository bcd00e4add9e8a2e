package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Function;

/**
 * "Oldest first" of SPEC R2.3, the one definition: by {@code createdAt}, ties by the id's canonical lowercase text
 * ({@link WorkspaceId#compareTo} compares the bits in that order). Deletes within each step of a plan are listed in
 * it, and a preset's running and failed prebuilds are kept in it.
 *
 * <p>The queries that pick or read prebuilds in this order say {@code order by created_at, id} in SQL, which cannot
 * call this class; they name it in a comment (PostgreSQL orders {@code uuid} bytewise, the same order).
 *
 * @param <T> what is ordered: anything with a creation instant and a workspace id
 */
public final class DeleteOrder<T> implements Comparator<T> {

    /** Running prebuilds, as {@link PresetState} keeps them and the database adapter loads them. */
    public static final DeleteOrder<Prebuild> PREBUILDS = by(Prebuild::createdAt, Prebuild::id);

    /** Failed prebuilds (R8), likewise. */
    public static final DeleteOrder<FailedPrebuild> FAILED = by(FailedPrebuild::createdAt, FailedPrebuild::id);

    /** The deletes of one step of a plan. */
    public static final DeleteOrder<PlanAction.Delete> DELETES =
            by(PlanAction.Delete::createdAt, PlanAction.Delete::workspace);

    private final Function<? super T, Instant> createdAt;
    private final Function<? super T, WorkspaceId> id;

    private DeleteOrder(Function<? super T, Instant> createdAt, Function<? super T, WorkspaceId> id) {
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.id = Objects.requireNonNull(id, "id");
    }

    /** The order for another type that carries a creation instant and a workspace id (a fake's rows, say). */
    public static <T> DeleteOrder<T> by(Function<? super T, Instant> createdAt, Function<? super T, WorkspaceId> id) {
        return new DeleteOrder<>(createdAt, id);
    }

    @Override
    public int compare(T a, T b) {
        int byAge = createdAt.apply(a).compareTo(createdAt.apply(b));
        return byAge != 0 ? byAge : id.apply(a).compareTo(id.apply(b));
    }
}
