package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.PruneEventsUseCase;
import io.warmpool.application.port.in.RecordPassUseCase;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the reconcile loop does after each pass, on its thread: wake the workers when the pass enqueued jobs, record
 * the pass for the dashboard, redraw the live view, prune the event log when due. Each step's failure is logged and
 * never stops the others or the loop.
 */
public final class AfterPass implements Consumer<PassReport> {

    private static final Logger LOG = LoggerFactory.getLogger(AfterPass.class);

    private final WorkerPool workers;
    private final RecordPassUseCase history;
    private final InspectUseCase inspect;
    private final PruneEventsUseCase retention;
    private final LiveView view;
    private final String replica;

    public AfterPass(WorkerPool workers, RecordPassUseCase history, InspectUseCase inspect, PruneEventsUseCase retention,
                     LiveView view, String replica) {
        this.workers = workers;
        this.history = history;
        this.inspect = inspect;
        this.retention = retention;
        this.view = view;
        this.replica = replica;
    }

    @Override
    public void accept(PassReport report) {
        if (report.ran() && report.creates() + report.deletes() > 0) {
            workers.wakeUp();
        }
        try {
            // What the dashboard shows: the last pass and samples of the pools, shared by every replica.
            history.record(report, replica);
        } catch (RuntimeException e) {
            LOG.warn("could not record the pass for the dashboard: " + e.getMessage());
        }
        try {
            view.show(report, inspect.status());
        } catch (RuntimeException e) {
            LOG.warn("could not show the pools: " + e.getMessage());
        }
        try {
            // On the loop's thread, after the pass: never alongside a pass of this replica, and under the
            // reconciliation lock, so never alongside another's; bounded, so the next pass is not held up for long.
            retention.pruneIfDue();
        } catch (RuntimeException e) {
            LOG.warn("could not prune the event log: " + e.getMessage());
        }
    }
}
