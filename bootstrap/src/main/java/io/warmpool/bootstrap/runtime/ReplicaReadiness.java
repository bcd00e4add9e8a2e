package io.warmpool.bootstrap.runtime;

import io.warmpool.adapters.http.ReadinessCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Part of {@code /readyz}: this replica's own work runs — its reconcile loop and its provisioner workers have started
 * and neither has stopped or ended by an error. No I/O: it reads the parts' state.
 */
public final class ReplicaReadiness implements ReadinessCheck {

    private final ReconcileLoop loop;
    private final WorkerPool workers;

    public ReplicaReadiness(ReconcileLoop loop, WorkerPool workers) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.workers = Objects.requireNonNull(workers, "workers");
    }

    @Override
    public Result check() {
        List<String> problems = new ArrayList<>(2);
        loop.problem().ifPresent(problems::add);
        workers.problem().ifPresent(problems::add);
        return problems.isEmpty()
                ? Result.ready("reconcile loop and provisioner workers running")
                : Result.notReady(String.join("; ", problems));
    }
}
