package io.warmpool.application.service;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.DeleteReason;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reconcile pass (A1). Thread-safe; passes of one replica may run concurrently only across replicas' locks. */
public final class ReconcilePresetsService implements ReconcilePresetsUseCase {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePresetsService.class);

    private final Clock clock;
    private final ReconciliationLockPort lock;
    private final SettingsPort settings;
    private final PresetSnapshotPort snapshots;
    private final BuildQueuePort queue;
    private final IdGeneratorPort ids;
    private final EventSinkPort events;
    private final MetricsPort metrics;
    private final PassPlanner passPlanner;
    private final ClaimArrivals arrivals;

    /**
     * @param arrivals this replica's claim arrivals (R13 demand), flushed at each full pass (the reconcile tick),
     *                 whether this replica then holds the lock or not
     */
    public ReconcilePresetsService(Clock clock, ReconciliationLockPort lock, SettingsPort settings,
                                   PresetSnapshotPort snapshots, BuildQueuePort queue, IdGeneratorPort ids,
                                   EventSinkPort events, MetricsPort metrics, ReconcileSettings reconcileSettings,
                                   ClaimArrivals arrivals) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.passPlanner = new PassPlanner(reconcileSettings);
        this.arrivals = Objects.requireNonNull(arrivals, "arrivals");
    }

    @Override
    public PassReport reconcile(Scope scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isAll()) {
            // Every replica's tick, before the lock: the demand the snapshot reads is every replica's up to its last
            // tick (and this replica's up to now). Nudged passes do not flush: claims nudge, and a flush per claim
            // is what counting in memory avoids.
            try {
                arrivals.flush();
            } catch (RuntimeException e) {
                LOG.warn("could not store the claim arrivals (kept for the next pass): " + PassPlanner.describe(e));
            }
            // The queue depth, cluster-wide, at every replica's tick (one query over the pending index): every
            // replica's /metrics shows it, whichever holds the lock.
            try {
                metrics.pendingJobs(queue.pendingByKind());
            } catch (RuntimeException e) {
                LOG.atDebug().log(() -> "could not count the pending jobs: " + PassPlanner.describe(e));
            }
        }
        Optional<HeldLock> held = lock.tryAcquire();
        if (held.isEmpty()) {
            return PassReport.skipped(Clocks.now(clock), PassReport.Skipped.LOCKED_ELSEWHERE);
        }
        try (HeldLock ignored = held.get()) {
            // Read once the lock is held, and the end once the pass's last write is done: the reported interval
            // [startedAt, startedAt + duration] lies inside the lock hold, so the intervals of passes of all
            // replicas never overlap (taking the lock opens a connection, which may take a while).
            Instant now = Clocks.now(clock);
            boolean paused = settings.isPaused();
            metrics.paused(paused);
            if (paused) {
                return PassReport.skipped(now, PassReport.Skipped.PAUSED);
            }
            PassPlanner.Planned planned = passPlanner.plan(snapshots.load(ReadModels.scope(scope)), now);
            Map<PresetId, String> failures = new LinkedHashMap<>(planned.failures());
            List<Event> published = new ArrayList<>();
            Counts counts = execute(planned.plans(), now, failures, published);
            events.publish(published);
            PassReport report = new PassReport(now, null, planned.plans(), counts.creates, counts.deletes,
                    counts.cancels, failures, Duration.between(now, Clocks.now(clock)));
            metrics.passFinished(report);
            failures.forEach((id, why) -> LOG.warn("preset " + id + ": " + why));
            return report;
        }
    }

    private static final class Counts {
        int creates;
        int deletes;
        int cancels;
    }

    private Counts execute(List<PresetPlan> plans, Instant now, Map<PresetId, String> failures, List<Event> out) {
        Map<PresetId, List<DeleteRequest>> deletes = new LinkedHashMap<>();
        Map<PresetId, List<CreateRequest>> creates = new LinkedHashMap<>();
        Set<PresetId> cancels = new LinkedHashSet<>();
        Map<PresetId, List<Event>> eventsByPreset = new LinkedHashMap<>();
        for (PresetPlan plan : plans) {
            PresetId id = plan.id();
            try {
                // R2.5: checked again where the plan is carried out.
                if (plan.creates() > plan.state().desired()) {
                    throw new IllegalStateException("plan creates " + plan.creates() + " > desired " + plan.state().desired());
                }
                List<Event> presetEvents = new ArrayList<>();
                for (PlanAction action : plan.actions()) {
                    if (action instanceof PlanAction.Delete d) {
                        deletes.computeIfAbsent(id, k -> new ArrayList<>())
                                .add(new DeleteRequest(d.workspace(), id, DeleteRequest.Reason.planned(d.reason())));
                        if (d.reason() == DeleteReason.EXPIRED || d.reason() == DeleteReason.INVALIDATED) {
                            presetEvents.add(Event.of(now, EventType.EXPIRED, id, d.workspace()).with("reason", d.reason().name()));
                        }
                        presetEvents.add(Event.of(now, EventType.DELETE_STARTED, id, d.workspace()).with("reason", d.reason().name()));
                    } else if (action instanceof PlanAction.Create c) {
                        List<CreateRequest> list = creates.computeIfAbsent(id, k -> new ArrayList<>());
                        for (int i = 0; i < c.count(); i++) {
                            WorkspaceId ws = ids.newWorkspaceId();
                            list.add(new CreateRequest(ws, prebuildName(ws), id));
                            presetEvents.add(Event.of(now, EventType.CREATE_STARTED, id, ws));
                        }
                    } else if (action instanceof PlanAction.CancelQueued) {
                        cancels.add(id);
                    }
                }
                eventsByPreset.put(id, presetEvents);
            } catch (RuntimeException e) {
                failures.put(id, "carrying out the plan failed: " + PassPlanner.describe(e));
            }
        }
        Counts counts = new Counts();
        // Deletes first: they free capacity and never count against the pending cap.
        int[] deleted = {0};
        Set<PresetId> failedDeletes = inBatches(deletes, batch -> deleted[0] += queue.enqueueDeletes(batch, now), "enqueueing deletes", failures);
        Set<PresetId> failedCreates = inBatches(creates, batch -> queue.enqueueCreates(batch, now), "enqueueing creates", failures);
        Set<PresetId> failedCancels = new LinkedHashSet<>();
        if (!cancels.isEmpty()) {
            try {
                counts.cancels = queue.cancelQueuedCreates(cancels, now);
            } catch (RuntimeException e) {
                cancels.forEach(id -> failures.putIfAbsent(id, "canceling queued creates failed: " + PassPlanner.describe(e)));
                failedCancels.addAll(cancels);
            }
        }
        // What the queue stored: it skips deletes of workspaces claimed or deleted since the snapshot.
        counts.deletes = deleted[0];
        creates.forEach((id, list) -> counts.creates += failedCreates.contains(id) ? 0 : list.size());
        eventsByPreset.forEach((id, list) -> {
            for (Event e : list) {
                boolean isDelete = e.type() == EventType.DELETE_STARTED || e.type() == EventType.EXPIRED;
                if (isDelete ? !failedDeletes.contains(id) : !failedCreates.contains(id)) {
                    out.add(e);
                }
            }
        });
        return counts;
    }

    /**
     * Runs {@code operation} on everything at once; if that fails, preset by preset, so that one preset's bad
     * row cannot stop the others.
     *
     * @return the presets whose work failed
     */
    private static <T> Set<PresetId> inBatches(Map<PresetId, List<T>> work, Consumer<List<T>> operation, String what,
                                               Map<PresetId, String> failures) {
        if (work.isEmpty()) {
            return Set.of();
        }
        List<T> all = new ArrayList<>();
        work.values().forEach(all::addAll);
        try {
            operation.accept(all);
            return Set.of();
        } catch (RuntimeException batchFailure) {
            LOG.debug(what + " as one batch failed; retrying preset by preset", batchFailure);
        }
        Set<PresetId> failed = new LinkedHashSet<>();
        work.forEach((id, items) -> {
            try {
                operation.accept(items);
            } catch (RuntimeException e) {
                failed.add(id);
                failures.putIfAbsent(id, what + " failed: " + PassPlanner.describe(e));
            }
        });
        return failed;
    }

    /** Prebuild names are unique and valid names; a claim gives the workspace the user's name. */
    static String prebuildName(WorkspaceId id) {
        return "prebuild-" + id.text().replace("-", "");
    }
}
