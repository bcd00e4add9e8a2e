package io.warmpool.application.fakes;

import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsValidator;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.plan.DeleteOrder;
import io.warmpool.domain.plan.Eligibility;
import io.warmpool.domain.plan.FailedPrebuild;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An in-memory stand-in for the database adapter: every store port on one set of maps behind one lock
 * ({@code synchronized}), so each call is atomic the way one transaction is. It follows each port's Javadoc and is
 * checked against the same contract tests as the PostgreSQL adapters ({@code io.warmpool.application.port.out.contract},
 * run here by the {@code Fake*ContractTest} classes); where they disagreed, PostgreSQL's behaviour was taken:
 *
 * <ul>
 *   <li>a workspace's phase comes from its latest build: create pending/running → STARTING, create succeeded →
 *       RUNNING, create failed → FAILED, delete pending/running → DELETING, delete succeeded → DELETED, delete
 *       failed → FAILED (so a failed delete is retried as a failed prebuild's cleanup);</li>
 *   <li>a prebuild is a workspace owned by {@link WorkspacePort#PREBUILDS_OWNER}; the snapshot lists the running
 *       ones and the failed ones (oldest first by the workspace's creation, when its create was enqueued — not
 *       when it became ready), and counts starting / queued (pending, not taken) creates and deleting ones; a
 *       whole snapshot has the active versions' presets and an old version's while it has prebuilds to clean up;</li>
 *   <li>claims take the oldest eligible prebuild by that same creation instant (TTL and invalidation count from it);</li>
 *   <li>workers take deletes before creates, then oldest first, never before a job's {@code notBefore} (at first
 *       its enqueueing); a release leaves error code {@code unavailable} until the build finishes;</li>
 *   <li>a canceled create's workspace stays, {@code DELETED};</li>
 *   <li>nudges are delivered at once, on the sender's thread, to every listener; one that throws stops no other.</li>
 *   <li>{@code complete} applies the failure change to create jobs only, in the same "transaction".</li>
 * </ul>
 *
 * <p>Test-only extras ({@code seed…}, {@code fail…}, {@link #dump()}) are grouped at the end.
 */
public final class FakeStore implements PresetSnapshotPort, BuildQueuePort, ClaimPort, WorkspacePort, ClaimWaitersPort,
        WorkspaceChecksPort,
        FailureStatePort, PresetStorePort, SettingsPort, ReconciliationLockPort, NudgePort, DemandHistoryPort {

    /** How much of an error or a log the store keeps (the adapter bounds them too). */
    public static final int MAX_TEXT = 4096;
    /** The reason of every create build (the adapter's). */
    private static final String CREATE_REASON = "DESIRED";
    /** The error code of a released build (the adapter's). */
    private static final String UNAVAILABLE = "unavailable";

    private enum Status { PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED }

    private static final class TemplateRow {
        String activeVersion;
        boolean deprecated;
        boolean deleted;
    }

    private static final class PresetRow {
        final PresetId id;
        final Map<String, String> parameters;
        PrebuildPolicy policy;
        Instant invalidatedAt;
        FailureState failure = FailureState.initial();
        final Instant createdAt;

        PresetRow(PresetId id, Map<String, String> parameters, PrebuildPolicy policy, Instant createdAt) {
            this.id = id;
            this.createdAt = createdAt;
            this.parameters = Map.copyOf(parameters);
            this.policy = policy;
        }
    }

    private static final class WorkspaceRow {
        final WorkspaceId id;
        final PresetId preset;
        final Instant createdAt;
        String name;
        String owner;
        Instant readyAt;
        Instant claimedAt;
        /** The instant of the claim reservation in progress (R12 {@code claiming}), or null. */
        Instant claimingAt;
        Map<String, String> outputs = Map.of();
        final List<BuildRow> builds = new ArrayList<>();
        /** R10/R11 after a succeeded create: PROVISIONED, UNHEALTHY or FAILED (readiness failed); null otherwise. */
        Phase checked;
        Instant readinessFailedAt;
        Instant readyDeadline;
        Instant nextCheckAt;
        int unhealthyAnswers;
        String agentTokenSha256;

        WorkspaceRow(WorkspaceId id, String name, PresetId preset, Instant createdAt) {
            this.id = id;
            this.name = name;
            this.owner = PREBUILDS_OWNER;
            this.preset = preset;
            this.createdAt = createdAt;
        }

        BuildRow latest() {
            return builds.get(builds.size() - 1);
        }

        boolean isPrebuild() {
            return PREBUILDS_OWNER.equals(owner);
        }
    }

    private static final class BuildRow {
        final JobId id;
        final Transition transition;
        final WorkspaceId workspace;
        final String reason;
        final Instant createdAt;
        Status status = Status.PENDING;
        int attempt;
        Instant notBefore;
        Instant startedAt;
        Instant heartbeatAt;
        Instant finishedAt;
        WorkerId worker;
        /** Set while (and kept after) the build awaits its provisioner's callback. */
        Instant awaitingUntil;
        String errorCode;
        String error;
        String log = "";

        BuildRow(JobId id, Transition transition, WorkspaceId workspace, String reason, Instant createdAt) {
            this.id = id;
            this.transition = transition;
            this.workspace = workspace;
            this.reason = reason;
            this.createdAt = createdAt;
        }

        boolean inFlight() {
            return status == Status.PENDING || status == Status.RUNNING;
        }

        boolean heldBy(WorkerId w) {
            return status == Status.RUNNING && w.equals(worker);
        }
    }

    private final Map<String, TemplateRow> templates = new TreeMap<>();
    private final Map<PresetId, PresetRow> presets = new TreeMap<>();
    private final Map<WorkspaceId, WorkspaceRow> workspaces = new TreeMap<>();
    private final Map<Long, BuildRow> builds = new TreeMap<>();
    /** Claims by idempotency key, as the database's {@code claim_idempotency_keys}. */
    private final Map<String, StoredClaim> claimKeys = new TreeMap<>();
    private long nextJobId = 1;
    private boolean paused;
    private boolean lockHeld;

    private final List<PresetId> nudgesSent = new CopyOnWriteArrayList<>();
    private final List<Consumer<PresetId>> nudgeListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<PresetId>> readyListeners = new CopyOnWriteArrayList<>();
    /** Waiting claims by number: preset and expiry. Guarded by this. */
    private final java.util.TreeMap<Long, Map.Entry<PresetId, Instant>> waiters = new java.util.TreeMap<>();
    private long nextWaiter = 1;

    private final Set<PresetId> failEnqueueCreatesFor = new HashSet<>();
    private final List<Integer> enqueueCreatesBatches = new ArrayList<>();
    private int snapshotLoads;

    // ------------------------------------------------------------------ PresetSnapshotPort

    @Override
    public synchronized Snapshot load(Scope scope) {
        snapshotLoads++;
        List<PresetSnapshot> out = new ArrayList<>();
        for (PresetRow p : presets.values()) {
            // All: the active versions' presets, and an old version's while it has prebuilds to clean up (starting,
            // running or failed); a scope names its presets whatever their version.
            if (scope.isAll() ? activity(p.id).versionActive() || hasPrebuildsToCleanUp(p.id) : scope.includes(p.id)) {
                out.add(snapshotOf(p));
            }
        }
        int queued = (int) builds.values().stream()
                .filter(b -> b.transition == Transition.CREATE && b.status == Status.PENDING).count();
        return new Snapshot(out, queued);
    }

    private PresetSnapshot snapshotOf(PresetRow p) {
        List<Prebuild> running = new ArrayList<>();
        List<FailedPrebuild> failed = new ArrayList<>();
        List<Prebuild> unhealthy = new ArrayList<>();
        int provisioned = 0;
        int starting = 0;
        int queued = 0;
        int deleting = 0;
        int claiming = 0;
        for (WorkspaceRow w : prebuildsOf(p.id)) {
            BuildRow latest = w.latest();
            if (latest.transition == Transition.CREATE && latest.inFlight()) {
                starting++;
                queued += latest.status == Status.PENDING ? 1 : 0;
            } else if (latest.transition == Transition.DELETE && latest.inFlight()) {
                deleting++;
            } else if (phase(w) == Phase.PROVISIONED) {
                starting++; // R10: provisioned, not ready yet, counts as starting
                provisioned++;
            } else if (phase(w) == Phase.UNHEALTHY) {
                unhealthy.add(new Prebuild(w.id, w.createdAt));
            } else if (phase(w) == Phase.FAILED && w.readinessFailedAt != null) {
                failed.add(new FailedPrebuild(w.id, w.createdAt, w.readinessFailedAt));
            } else if (latest.transition == Transition.CREATE && latest.status == Status.SUCCEEDED) {
                if (w.claimingAt == null) { // a reserved prebuild (R12 claiming) counts nowhere in the pool
                    running.add(new Prebuild(w.id, w.createdAt));
                } else {
                    claiming++;
                }
            } else if (latest.status == Status.FAILED) {
                failed.add(new FailedPrebuild(w.id, w.createdAt, latest.finishedAt));
            }
        }
        running.sort(DeleteOrder.PREBUILDS);
        failed.sort(DeleteOrder.FAILED);
        unhealthy.sort(DeleteOrder.PREBUILDS);
        return new PresetSnapshot(p.id, activity(p.id), p.policy, p.invalidatedAt, p.failure, running, failed,
                new InFlight(starting, queued, deleting, provisioned, claiming), unhealthy,
                p.policy.autoscale() == null ? DemandHistory.NONE : demandOf(p));
    }

    // ------------------------------------------------------------------ DemandHistoryPort (R13)

    /** The {@code now} of the demand the snapshot reads, as the adapter's injected clock; tests set it. */
    private Clock clock = Clock.fixed(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final Map<PresetRef, TreeMap<Instant, Integer>> demandMinutes = new TreeMap<>(
            Comparator.comparing(PresetRef::template).thenComparing(PresetRef::preset));
    private final Map<PresetRef, TreeMap<Instant, Integer>> demandHours = new TreeMap<>(
            Comparator.comparing(PresetRef::template).thenComparing(PresetRef::preset));

    /** Reads demand as of this clock's instant (the service's clock in the application tests). */
    public synchronized FakeStore useClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    @Override
    public synchronized void addClaims(List<ClaimArrivals> arrivals) {
        for (ClaimArrivals a : arrivals) {
            demandMinutes.computeIfAbsent(a.preset(), k -> new TreeMap<>()).merge(a.minute(), a.claims(), Integer::sum);
            demandHours.computeIfAbsent(a.preset(), k -> new TreeMap<>())
                    .merge(a.minute().truncatedTo(ChronoUnit.HOURS), a.claims(), Integer::sum);
        }
    }

    @Override
    public synchronized void prune(Instant now) {
        Duration kept = presets.values().stream().map(p -> p.policy.autoscale()).filter(Objects::nonNull)
                .map(Autoscale::lookback).max(Comparator.naturalOrder())
                .orElse(Duration.ofDays(Autoscale.MAX_LOOKBACK_DAYS));
        Instant firstHour = now.minus(kept).truncatedTo(ChronoUnit.HOURS);
        demandMinutes.values().forEach(m -> m.headMap(now.minus(MINUTES_KEPT), false).clear());
        demandHours.values().forEach(h -> h.headMap(firstHour, false).clear());
    }

    /** What the adapter reads for a preset with autoscale: its name's counts, first creation and build times. */
    private DemandHistory demandOf(PresetRow p) {
        Instant now = clock.instant();
        PresetRef ref = p.id.ref();
        Instant first = now.minus(p.policy.autoscale().lookback()).minus(Duration.ofHours(1));
        TreeMap<Instant, Integer> hours = new TreeMap<>(demandHours.getOrDefault(ref, new TreeMap<>())
                .subMap(first, false, now, false));
        int lastHour = demandMinutes.getOrDefault(ref, new TreeMap<>())
                .subMap(now.minus(Duration.ofHours(1)), false, now, true).values().stream().mapToInt(Integer::intValue).sum();
        Instant since = presets.values().stream().filter(r -> r.id.ref().equals(ref)).map(r -> r.createdAt)
                .min(Comparator.naturalOrder()).orElse(null);
        List<Duration> builds = workspaces.values().stream()
                .filter(w -> w.preset.ref().equals(ref) && w.readyAt != null)
                .sorted(Comparator.comparing((WorkspaceRow w) -> w.createdAt).thenComparing(w -> w.id).reversed())
                .limit(DemandHistory.MAX_BUILD_TIMES)
                .map(w -> Duration.between(w.createdAt, w.readyAt))
                .toList();
        return new DemandHistory(since, hours, lastHour, builds);
    }

    private Activity activity(PresetId id) {
        TemplateRow t = templates.get(id.template());
        return new Activity(id.version().equals(t.activeVersion), t.deprecated, t.deleted);
    }

    private boolean hasPrebuildsToCleanUp(PresetId preset) {
        return prebuildsOf(preset).stream()
                .anyMatch(w -> phase(w) == Phase.STARTING || phase(w) == Phase.RUNNING || phase(w) == Phase.FAILED
                        || phase(w) == Phase.PROVISIONED || phase(w) == Phase.UNHEALTHY);
    }

    private List<WorkspaceRow> prebuildsOf(PresetId preset) {
        return workspaces.values().stream().filter(w -> w.preset.equals(preset) && w.isPrebuild()).toList();
    }

    // ------------------------------------------------------------------ BuildQueuePort

    @Override
    public synchronized void enqueueCreates(List<CreateRequest> creates, Instant now) {
        enqueueCreatesBatches.add(creates.size());
        // All or nothing: check the whole batch before changing anything.
        Set<WorkspaceId> seen = new HashSet<>();
        for (CreateRequest c : creates) {
            if (failEnqueueCreatesFor.contains(c.preset())) {
                throw new StoreUnavailableException("injected failure enqueueing a create of " + c.preset(), null);
            }
            if (!presets.containsKey(c.preset())) {
                throw new NotFoundException("preset " + c.preset() + " does not exist");
            }
            if (workspaces.containsKey(c.workspace()) || !seen.add(c.workspace())) {
                // The database's primary key rejects the batch.
                throw new StoreUnavailableException("integrity constraint violation: workspace " + c.workspace()
                        + " exists already", null);
            }
        }
        for (CreateRequest c : creates) {
            WorkspaceRow w = new WorkspaceRow(c.workspace(), c.name(), c.preset(), now);
            workspaces.put(w.id, w);
            addBuild(w, Transition.CREATE, CREATE_REASON, now);
        }
    }

    @Override
    public synchronized int enqueueDeletes(List<DeleteRequest> deletes, Instant now) {
        int enqueued = 0;
        for (DeleteRequest d : deletes) {
            WorkspaceRow w = workspaces.get(d.workspace());
            // Only running or failed workspaces with no build in progress; a plan's delete only of an unclaimed
            // prebuild, a release only of a claimed workspace.
            if (w == null || (phase(w) != Phase.RUNNING && phase(w) != Phase.FAILED && phase(w) != Phase.UNHEALTHY)
                    || w.isPrebuild() == (d.reason() == DeleteRequest.Reason.RELEASED)) {
                continue;
            }
            addBuild(w, Transition.DELETE, d.reason().name(), now);
            enqueued++;
        }
        return enqueued;
    }

    @Override
    public synchronized int cancelQueuedCreates(Set<PresetId> presetIds, Instant now) {
        List<WorkspaceRow> toCancel = workspaces.values().stream()
                .filter(w -> presetIds.contains(w.preset))
                .filter(w -> w.latest().transition == Transition.CREATE && w.latest().status == Status.PENDING)
                .toList();
        for (WorkspaceRow w : toCancel) {
            // Never provisioned: the workspace is marked deleted (phase from its canceled create), kept for history.
            w.latest().status = Status.CANCELED;
            w.latest().finishedAt = now;
        }
        return toCancel.size();
    }

    @Override
    public synchronized Optional<Job> acquire(WorkerId worker, Instant now) {
        Optional<BuildRow> next = builds.values().stream()
                .filter(b -> b.status == Status.PENDING)
                .filter(b -> b.notBefore == null || !now.isBefore(b.notBefore))
                .min(Comparator.comparing((BuildRow b) -> b.transition == Transition.DELETE ? 0 : 1)
                        .thenComparing(b -> b.createdAt)
                        .thenComparing(b -> b.id.value()));
        if (next.isEmpty()) {
            return Optional.empty();
        }
        BuildRow b = next.get();
        b.status = Status.RUNNING;
        b.worker = worker;
        b.attempt++;
        b.startedAt = now;
        b.heartbeatAt = now;
        b.notBefore = null;
        WorkspaceRow w = workspaces.get(b.workspace);
        return Optional.of(new Job(b.id, b.transition, w.id, w.name, w.owner, w.preset, presets.get(w.preset).parameters,
                b.transition == Transition.DELETE ? w.outputs : Map.of(), b.attempt));
    }

    @Override
    public synchronized boolean heartbeat(JobId job, WorkerId worker, Instant now) {
        BuildRow b = builds.get(job.value());
        if (b == null || !b.heldBy(worker)) {
            return false;
        }
        b.heartbeatAt = now;
        return true;
    }

    @Override
    public synchronized Optional<FailureTransition> complete(JobId job, WorkerId worker, JobResult result, Instant now,
                                                             Function<FailureState, FailureTransition> failureChange) {
        return finish(held(job, worker), result, now, failureChange);
    }

    private Optional<FailureTransition> finish(BuildRow b, JobResult result, Instant now,
                                               Function<FailureState, FailureTransition> failureChange) {
        WorkspaceRow w = workspaces.get(b.workspace);
        // Compute first, so that a failing change leaves everything as it was (one transaction).
        Optional<FailureTransition> transition = Optional.empty();
        PresetRow preset = presets.get(w.preset);
        boolean provisioned = b.transition == Transition.CREATE && result instanceof JobResult.Succeeded
                && preset.policy.readiness() != null;
        if (b.transition == Transition.CREATE && !provisioned) {
            transition = Optional.of(failureChange.apply(preset.failure));
        }
        b.finishedAt = now;
        b.log = bounded(result.log());
        if (result instanceof JobResult.Succeeded ok) {
            b.status = Status.SUCCEEDED;
            b.errorCode = null; // a release's "unavailable" is not this build's outcome
            b.error = null;
            if (provisioned) {
                // R10: provisioned, not ready; the R3 success comes with readiness
                w.outputs = ok.outputs();
                w.checked = Phase.PROVISIONED;
                w.readyDeadline = now.plus(preset.policy.readiness().timeout());
                w.nextCheckAt = preset.policy.readiness().check() == Readiness.Check.PROVISIONER ? now : null;
            } else if (b.transition == Transition.CREATE) {
                w.readyAt = now;
                w.outputs = ok.outputs();
                w.nextCheckAt = preset.policy.health() == null ? null : now.plus(preset.policy.health().interval());
                if (PREBUILDS_OWNER.equals(w.owner)) {
                    announceAfterReturn(w.preset); // as the database's trigger: a prebuild became eligible
                }
            }
        } else {
            JobResult.Failed failed = (JobResult.Failed) result;
            b.status = Status.FAILED;
            b.errorCode = failed.code();
            b.error = bounded(failed.error());
        }
        transition.ifPresent(t -> preset.failure = t.after());
        return transition;
    }

    @Override
    public synchronized void release(JobId job, WorkerId worker, String reason, Instant notBefore, Instant now) {
        BuildRow b = held(job, worker);
        b.status = Status.PENDING;
        b.worker = null;
        b.heartbeatAt = null;
        b.startedAt = null;
        b.notBefore = notBefore;
        b.errorCode = UNAVAILABLE;
        b.error = bounded(reason == null ? "" : reason);
    }

    @Override
    public synchronized void awaitCallback(JobId job, WorkerId worker, Instant until, Instant now) {
        BuildRow b = held(job, worker);
        if (b.awaitingUntil != null) {
            throw new JobNotHeldException(job, worker);
        }
        b.awaitingUntil = until;
    }

    @Override
    public synchronized AwaitedCompletion completeAwaited(JobId job, JobResult result, Instant now,
                                                          Function<FailureState, FailureTransition> failureChange) {
        BuildRow b = builds.get(job.value());
        if (b == null) {
            throw new NotFoundException("no build " + job);
        }
        if (b.status == Status.RUNNING && b.awaitingUntil == null) {
            throw new NotYetAwaitingException(job);
        }
        if (b.status != Status.RUNNING) {
            throw new ConflictException("build " + job + " is not awaiting a callback: it is "
                    + b.status.name().toLowerCase(Locale.ROOT) + (b.awaitingUntil == null ? "" : " (it completed already)"));
        }
        AwaitedJob awaited = awaited(b);
        return new AwaitedCompletion(awaited, finish(b, result, now, failureChange));
    }

    @Override
    public synchronized List<AwaitedJob> overdueCallbacks(Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return builds.values().stream()
                .filter(b -> b.status == Status.RUNNING && b.awaitingUntil != null && !b.awaitingUntil.isAfter(now))
                .sorted(Comparator.comparing((BuildRow b) -> b.awaitingUntil).thenComparing(b -> b.id.value()))
                .limit(limit)
                .map(this::awaited)
                .toList();
    }

    @Override
    public synchronized Map<Transition, Integer> pendingByKind() {
        Map<Transition, Integer> out = new java.util.EnumMap<>(Transition.class);
        out.put(Transition.CREATE, 0);
        out.put(Transition.DELETE, 0);
        builds.values().stream().filter(b -> b.status == Status.PENDING).forEach(b -> out.merge(b.transition, 1, Integer::sum));
        return out;
    }

    private AwaitedJob awaited(BuildRow b) {
        WorkspaceRow w = workspaces.get(b.workspace);
        return new AwaitedJob(b.id, b.transition, w.preset, w.id, b.startedAt, b.awaitingUntil);
    }

    @Override
    public synchronized List<LostJob> reapLost(Instant heartbeatAtOrBefore, Instant now) {
        List<LostJob> lost = new ArrayList<>();
        for (BuildRow b : builds.values()) {
            if (b.status == Status.RUNNING && b.awaitingUntil == null && !b.heartbeatAt.isAfter(heartbeatAtOrBefore)) {
                b.status = Status.FAILED;
                b.finishedAt = now;
                b.errorCode = "worker_lost";
                b.error = "worker " + b.worker + " stopped heartbeating";
                WorkspaceRow w = workspaces.get(b.workspace);
                lost.add(new LostJob(b.id, b.transition, w.preset, w.id));
            }
        }
        return lost;
    }

    private BuildRow held(JobId job, WorkerId worker) {
        BuildRow b = builds.get(job.value());
        if (b == null || !b.heldBy(worker)) {
            throw new JobNotHeldException(job, worker);
        }
        return b;
    }

    private void addBuild(WorkspaceRow w, Transition transition, String reason, Instant now) {
        BuildRow b = new BuildRow(new JobId(nextJobId++), transition, w.id, reason, now);
        b.notBefore = now; // never taken before it was enqueued
        builds.put(b.id.value(), b);
        w.builds.add(b);
    }

    private static String bounded(String text) {
        return text == null ? null : text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }

    // ------------------------------------------------------------------ WorkspaceChecksPort

    @Override
    public synchronized Optional<DueCheck> takeDueCheck(Instant now, java.time.Duration lease) {
        Optional<WorkspaceRow> next = workspaces.values().stream()
                .filter(WorkspaceRow::isPrebuild)
                .filter(w -> w.nextCheckAt != null && !w.nextCheckAt.isAfter(now))
                .filter(w -> {
                    PrebuildPolicy policy = presets.get(w.preset).policy;
                    return phase(w) == Phase.PROVISIONED && policy.readiness() != null
                            && policy.readiness().check() == Readiness.Check.PROVISIONER
                            || phase(w) == Phase.RUNNING && policy.health() != null;
                })
                .min(Comparator.comparing((WorkspaceRow w) -> w.nextCheckAt).thenComparing(w -> w.id));
        if (next.isEmpty()) {
            return Optional.empty();
        }
        WorkspaceRow w = next.get();
        w.nextCheckAt = now.plus(lease);
        PresetRow p = presets.get(w.preset);
        boolean readiness = phase(w) == Phase.PROVISIONED;
        return Optional.of(new DueCheck(readiness ? Kind.READINESS : Kind.LIVENESS, w.id, w.name, w.preset,
                p.parameters, w.outputs, w.unhealthyAnswers,
                !readiness && p.policy.health() != null ? p.policy.health().unhealthyAfter() : 0,
                p.policy.health() == null ? null : p.policy.health().interval()));
    }

    @Override
    public synchronized Optional<FailureTransition> markReady(WorkspaceId workspace, Instant now,
                                                              Function<FailureState, FailureTransition> failureChange) {
        WorkspaceRow w = workspaces.get(workspace);
        if (w == null || !w.isPrebuild() || phase(w) != Phase.PROVISIONED) {
            return Optional.empty();
        }
        PresetRow p = presets.get(w.preset);
        FailureTransition t = failureChange.apply(p.failure);
        p.failure = t.after();
        w.checked = null;
        w.readyAt = now;
        w.readyDeadline = null;
        w.unhealthyAnswers = 0;
        w.nextCheckAt = p.policy.health() == null ? null : now.plus(p.policy.health().interval());
        announceAfterReturn(w.preset);
        return Optional.of(t);
    }

    @Override
    public synchronized Optional<FailureTransition> failReadiness(WorkspaceId workspace, Instant now,
                                                                  Function<FailureState, FailureTransition> failureChange) {
        WorkspaceRow w = workspaces.get(workspace);
        if (w == null || !w.isPrebuild() || phase(w) != Phase.PROVISIONED) {
            return Optional.empty();
        }
        PresetRow p = presets.get(w.preset);
        FailureTransition t = failureChange.apply(p.failure);
        p.failure = t.after();
        w.checked = Phase.FAILED;
        w.readinessFailedAt = now;
        w.nextCheckAt = null;
        return Optional.of(t);
    }

    @Override
    public synchronized List<TimedOut> failOverdue(Instant now, Function<FailureState, FailureTransition> failureChange) {
        List<WorkspaceRow> overdue = workspaces.values().stream()
                .filter(w -> phase(w) == Phase.PROVISIONED && !w.readyDeadline.isAfter(now))
                .sorted(DeleteOrder.by((WorkspaceRow w) -> w.createdAt, w -> w.id))
                .toList();
        List<TimedOut> out = new ArrayList<>();
        for (WorkspaceRow w : overdue) {
            out.add(new TimedOut(w.id, w.preset, failReadiness(w.id, now, failureChange).orElseThrow()));
        }
        return out;
    }

    @Override
    public synchronized boolean reschedule(Kind kind, WorkspaceId workspace, int unhealthyAnswers, Instant nextCheckAt) {
        WorkspaceRow w = workspaces.get(workspace);
        if (w == null || !w.isPrebuild() || phase(w) != (kind == Kind.READINESS ? Phase.PROVISIONED : Phase.RUNNING)) {
            return false;
        }
        w.nextCheckAt = nextCheckAt;
        if (kind == Kind.LIVENESS) {
            w.unhealthyAnswers = unhealthyAnswers;
        }
        return true;
    }

    @Override
    public synchronized boolean markUnhealthy(WorkspaceId workspace, Instant now) {
        WorkspaceRow w = workspaces.get(workspace);
        if (w == null || !w.isPrebuild() || phase(w) != Phase.RUNNING) {
            return false;
        }
        w.checked = Phase.UNHEALTHY;
        w.nextCheckAt = null;
        return true;
    }

    @Override
    public synchronized boolean storeAgentToken(WorkspaceId workspace, String sha256Hex) {
        WorkspaceRow w = workspaces.get(workspace);
        if (w == null) {
            return false;
        }
        w.agentTokenSha256 = Objects.requireNonNull(sha256Hex, "sha256Hex");
        return true;
    }

    @Override
    public synchronized Optional<AgentView> agentView(WorkspaceId workspace) {
        return Optional.ofNullable(workspaces.get(workspace))
                .map(w -> new AgentView(w.id, w.preset, phase(w), w.isPrebuild(), w.agentTokenSha256));
    }

    @Override
    public synchronized Optional<WorkspaceId> agentTokenOwner(String sha256Hex) {
        return workspaces.values().stream().filter(w -> sha256Hex.equals(w.agentTokenSha256)).map(w -> w.id).findFirst();
    }

    // ------------------------------------------------------------------ ClaimPort

    @Override
    public synchronized Attempt claim(PresetRef ref, String owner, String name, Instant now) {
        if (PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
        }
        PresetId id = resolve(ref).orElseThrow(() -> notFound(ref));
        if (!activity(id).isActive()) {
            return new Missed(id);
        }
        PresetRow p = presets.get(id);
        Eligibility eligibility = Eligibility.at(p.policy.ttl(), p.invalidatedAt, now);
        Optional<WorkspaceRow> oldest = prebuildsOf(id).stream()
                .filter(w -> phase(w) == Phase.RUNNING)
                .filter(w -> eligibility.expiry(w.createdAt).isEmpty())
                .min(DeleteOrder.by((WorkspaceRow w) -> w.createdAt, w -> w.id));
        if (oldest.isEmpty()) {
            return new Missed(id);
        }
        WorkspaceRow w = oldest.get();
        w.owner = owner;
        w.name = name;
        w.claimedAt = now;
        return new Claimed(new ClaimedWorkspace(w.id, w.name, w.owner, id, w.createdAt, now, w.outputs));
    }

    /** A claim remembered under its idempotency key. */
    private record StoredClaim(PresetRef ref, String owner, ClaimedWorkspace workspace, Instant storedAt) {
    }

    @Override
    public synchronized Attempt claim(PresetRef ref, String owner, String name, Instant now, String idempotencyKey) {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        StoredClaim stored = claimKeys.get(idempotencyKey);
        if (stored != null && stored.storedAt.isAfter(now.minus(IDEMPOTENCY_WINDOW))) {
            if (!stored.ref.equals(ref) || !stored.owner.equals(owner)) {
                throw keyConflict(idempotencyKey, stored.ref, stored.owner);
            }
            return new Claimed(stored.workspace, true);
        }
        Attempt attempt = claim(ref, owner, name, now);
        if (attempt instanceof Claimed claimed) {
            claimKeys.put(idempotencyKey, new StoredClaim(ref, owner, claimed.workspace(), now));
        }
        return attempt;
    }

    // ------------------------------------------------------------------ ClaimPort: handoff (R12)

    /** The prebuild a claim would take now, or empty (an inactive preset has none). */
    private Optional<WorkspaceRow> oldestEligible(PresetId id, Instant now) {
        if (!activity(id).isActive()) {
            return Optional.empty();
        }
        PresetRow p = presets.get(id);
        Eligibility eligibility = Eligibility.at(p.policy.ttl(), p.invalidatedAt, now);
        return prebuildsOf(id).stream()
                .filter(w -> phase(w) == Phase.RUNNING)
                .filter(w -> eligibility.expiry(w.createdAt).isEmpty())
                .min(DeleteOrder.by((WorkspaceRow w) -> w.createdAt, w -> w.id));
    }

    @Override
    public synchronized Attempt reserve(PresetRef ref, String owner, String name, Instant now) {
        return reserve(ref, owner, name, now, Optional.empty());
    }

    private Attempt reserve(PresetRef ref, String owner, String name, Instant now, Optional<String> key) {
        if (PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
        }
        PresetId id = resolve(ref).orElseThrow(() -> notFound(ref));
        Optional<WorkspaceRow> oldest = oldestEligible(id, now);
        if (oldest.isEmpty()) {
            return new Missed(id);
        }
        WorkspaceRow w = oldest.get();
        w.claimingAt = now;
        return new Reserved(new Reservation(w.id, id, owner, name, w.createdAt, now, w.outputs, key));
    }

    /** Keys whose claim is reserved and not yet finished: key → workspace. */
    private final Map<String, WorkspaceId> pendingKeys = new TreeMap<>();

    @Override
    public synchronized Attempt reserve(PresetRef ref, String owner, String name, Instant now, String idempotencyKey) {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        StoredClaim stored = claimKeys.get(idempotencyKey);
        if (stored != null && stored.storedAt.isAfter(now.minus(IDEMPOTENCY_WINDOW))) {
            if (!stored.ref.equals(ref) || !stored.owner.equals(owner)) {
                throw keyConflict(idempotencyKey, stored.ref, stored.owner);
            }
            return pendingKeys.containsKey(idempotencyKey) ? new InProgress(stored.workspace.preset())
                    : new Claimed(stored.workspace, true);
        }
        Attempt attempt = reserve(ref, owner, name, now, Optional.of(idempotencyKey));
        if (attempt instanceof Reserved r) {
            Reservation res = r.reservation();
            claimKeys.put(idempotencyKey, new StoredClaim(ref, owner, new ClaimedWorkspace(res.id(), name, owner,
                    res.preset(), res.createdAt(), now, res.outputs()), now));
            pendingKeys.put(idempotencyKey, res.id());
        }
        return attempt;
    }

    private WorkspaceRow reserved(Reservation r) {
        WorkspaceRow w = workspaces.get(r.id());
        return w != null && w.isPrebuild() && phase(w) == Phase.CLAIMING && r.reservedAt().equals(w.claimingAt) ? w : null;
    }

    @Override
    public synchronized Optional<ClaimedWorkspace> finish(Reservation r, Map<String, String> outputs, Instant now) {
        WorkspaceRow w = reserved(r);
        if (w == null) {
            return Optional.empty();
        }
        w.claimingAt = null;
        w.owner = r.owner();
        w.name = r.name();
        w.claimedAt = now;
        w.outputs = Map.copyOf(outputs);
        ClaimedWorkspace claimed = new ClaimedWorkspace(w.id, w.name, w.owner, r.preset(), w.createdAt, now, w.outputs);
        r.idempotencyKey().ifPresent(key -> {
            if (r.id().equals(pendingKeys.get(key))) {
                pendingKeys.remove(key);
                StoredClaim stored = claimKeys.get(key);
                claimKeys.put(key, new StoredClaim(stored.ref, stored.owner, claimed, now));
            }
        });
        return Optional.of(claimed);
    }

    @Override
    public synchronized boolean abandon(Reservation r, Instant now) {
        WorkspaceRow w = reserved(r);
        if (w == null) {
            return false;
        }
        abandon(w, now);
        return true;
    }

    private void abandon(WorkspaceRow w, Instant now) {
        addBuild(w, Transition.DELETE, DeleteRequest.Reason.CLAIM_FAILED.name(), now);
        pendingKeys.entrySet().removeIf(e -> {
            if (e.getValue().equals(w.id)) {
                claimKeys.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    @Override
    public synchronized List<Abandoned> reapReservations(Instant reservedAtOrBefore, Instant now) {
        List<Abandoned> out = new ArrayList<>();
        for (WorkspaceRow w : workspaces.values()) {
            if (w.isPrebuild() && phase(w) == Phase.CLAIMING && !w.claimingAt.isAfter(reservedAtOrBefore)) {
                out.add(new Abandoned(w.id, w.preset, w.claimingAt));
                abandon(w, now);
            }
        }
        return out;
    }

    /** The database adapter's message for a key reused for another claim. */
    public static ConflictException keyConflict(String key, PresetRef ref, String owner) {
        return new ConflictException("Idempotency-Key '" + key + "' was used within the last 24 h for a claim of "
                + ref + " by " + owner + "; a key names one claim: send a new key for another claim");
    }

    /** How many claims are remembered under an idempotency key (expired ones included until pruned). */
    public synchronized int storedClaimKeys() {
        return claimKeys.size();
    }

    /** Says which part of {@code template/preset} is missing, as the database adapter does. */
    private NotFoundException notFound(PresetRef ref) {
        TemplateRow t = templates.get(ref.template());
        if (t == null) {
            return new NotFoundException("preset " + ref + " does not exist: there is no template " + ref.template());
        }
        return new NotFoundException("preset " + ref + " does not exist: the active version " + t.activeVersion
                + " of template " + ref.template() + " has no preset " + ref.preset());
    }

    // ------------------------------------------------------------------ WorkspacePort

    @Override
    public synchronized Optional<WorkspaceView> find(WorkspaceId id) {
        return Optional.ofNullable(workspaces.get(id)).map(FakeStore::view);
    }

    @Override
    public synchronized List<WorkspaceView> list(PresetId preset, String owner, ListKey after, int limit) {
        if (limit < 1 || limit > 1001) {
            throw new IllegalArgumentException("limit must be 1…1001, got " + limit);
        }
        Comparator<WorkspaceRow> newestFirst =
                Comparator.comparing((WorkspaceRow w) -> w.createdAt).thenComparing(w -> w.id).reversed();
        return workspaces.values().stream()
                .filter(w -> preset == null || w.preset.equals(preset))
                .filter(w -> owner == null || w.owner.equals(owner))
                .filter(w -> after == null || w.createdAt.isBefore(after.createdAt())
                        || (w.createdAt.equals(after.createdAt()) && w.id.compareTo(after.id()) < 0))
                .sorted(newestFirst)
                .limit(limit)
                .map(FakeStore::view)
                .toList();
    }

    @Override
    public synchronized List<BuildView> builds(WorkspaceId id) {
        WorkspaceRow w = workspaces.get(id);
        return w == null ? List.of() : w.builds.stream().map(FakeStore::view).toList();
    }

    @Override
    public synchronized List<BuildView> builds(WorkspaceId id, long afterBuild, int limit) {
        if (limit < 1 || limit > 1001) {
            throw new IllegalArgumentException("limit must be 1…1001, got " + limit);
        }
        return builds(id).stream().filter(b -> b.id().value() > afterBuild).limit(limit).toList();
    }

    private static WorkspaceView view(WorkspaceRow w) {
        return new WorkspaceView(w.id, w.name, w.owner, w.preset, phase(w), w.createdAt, w.claimedAt, w.outputs);
    }

    private static BuildView view(BuildRow b) {
        return new BuildView(b.id, b.transition, b.status.name().toLowerCase(Locale.ROOT), b.reason, b.attempt,
                b.createdAt, b.startedAt, b.finishedAt, b.errorCode, b.error, b.log,
                b.status == Status.RUNNING ? b.awaitingUntil : null);
    }

    private static Phase phase(WorkspaceRow w) {
        BuildRow latest = w.latest();
        if (w.checked != null && latest.transition == Transition.CREATE && latest.status == Status.SUCCEEDED) {
            return w.checked;
        }
        if (latest.inFlight()) {
            return latest.transition == Transition.CREATE ? Phase.STARTING : Phase.DELETING;
        }
        if (latest.status == Status.FAILED) {
            return Phase.FAILED;
        }
        if (latest.status == Status.CANCELED) {
            return Phase.DELETED; // a canceled create: never provisioned
        }
        if (latest.transition == Transition.CREATE && w.claimingAt != null) {
            return Phase.CLAIMING;
        }
        return latest.transition == Transition.CREATE ? Phase.RUNNING : Phase.DELETED;
    }

    // ------------------------------------------------------------------ FailureStatePort

    @Override
    public synchronized FailureTransition update(PresetId preset, Function<FailureState, FailureTransition> change) {
        PresetRow p = presets.get(preset);
        if (p == null) {
            throw new NotFoundException("preset " + preset + " does not exist");
        }
        FailureTransition t = change.apply(p.failure);
        p.failure = t.after();
        return t;
    }

    // ------------------------------------------------------------------ PresetStorePort

    @Override
    public synchronized ApplyOutcome apply(PresetsDocument document, Instant now) {
        Map<PresetId, Map<String, String>> existing = new LinkedHashMap<>();
        document.parametersById().keySet().forEach(id -> {
            if (presets.containsKey(id)) {
                existing.put(id, presets.get(id).parameters);
            }
        });
        List<ValidationError> errors = new ArrayList<>(PresetsValidator.immutabilityErrors(document, existing));
        Map<String, String> storedModules = new LinkedHashMap<>();
        for (TemplateDefinition t : document.templates()) {
            String key = t.name() + "/" + t.version();
            if (versionModules.containsKey(key)) {
                storedModules.put(key, versionModules.get(key));
            }
        }
        errors.addAll(PresetsValidator.terraformModuleErrors(document, storedModules));
        if (!errors.isEmpty()) {
            return new Rejected(errors);
        }
        int versionsCreated = 0;
        int presetsCreated = 0;
        int presetsUpdated = 0;
        for (TemplateDefinition t : document.templates()) {
            boolean versionExists = presets.keySet().stream()
                    .anyMatch(id -> id.template().equals(t.name()) && id.version().equals(t.version()));
            versionsCreated += versionExists ? 0 : 1;
            versionModules.putIfAbsent(t.name() + "/" + t.version(), t.terraformModule() == null ? "" : t.terraformModule());
            versionOrder.add(t.name() + "/" + t.version());
            TemplateRow row = templates.computeIfAbsent(t.name(), n -> new TemplateRow());
            row.activeVersion = t.version();
            row.deprecated = t.deprecated();
            row.deleted = t.deleted();
            for (PresetDefinition p : t.presets()) {
                PresetId id = t.idOf(p);
                PresetRow stored = presets.get(id);
                if (stored == null) {
                    presets.put(id, new PresetRow(id, p.parameters(), p.policy(), now));
                    presetsCreated++;
                } else {
                    // Policy changes in place; the failure state stays (a policy change is not a resume, R4).
                    stored.policy = p.policy();
                    presetsUpdated++;
                }
            }
        }
        return new Applied(document.templates().size(), versionsCreated, presetsCreated, presetsUpdated);
    }

    /** Every stored version, {@code template/version}, in the order it was first applied. */
    private final java.util.LinkedHashSet<String> versionOrder = new java.util.LinkedHashSet<>();

    @Override
    public synchronized List<StoredVersion> stored(java.util.Collection<String> names) {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(versionOrder);
        presets.keySet().stream().map(id -> id.template() + "/" + id.version()).sorted().forEach(keys::add);
        List<StoredVersion> out = new ArrayList<>();
        names.stream().distinct().sorted().forEach(name -> {
            TemplateRow row = templates.get(name);
            if (row == null) {
                return;
            }
            for (String key : keys) {
                String version = key.substring(key.indexOf('/') + 1);
                if (!key.startsWith(name + "/")) {
                    continue;
                }
                List<PresetDefinition> defs = presets.values().stream()
                        .filter(p -> p.id.template().equals(name) && p.id.version().equals(version))
                        .sorted(Comparator.comparing(p -> p.id.preset()))
                        .map(p -> new PresetDefinition(p.id.preset(), p.parameters, p.policy)).toList();
                String module = versionModules.getOrDefault(key, "");
                out.add(new StoredVersion(new TemplateDefinition(name, version, row.deprecated, row.deleted, defs,
                        module.isEmpty() ? null : new TemplateDefinition.TerraformModule(module, "")),
                        version.equals(row.activeVersion)));
            }
        });
        return out;
    }

    /** The Terraform module of each stored version, by {@code template/version}; {@code ""} for none. */
    private final Map<String, String> versionModules = new HashMap<>();

    @Override
    public synchronized Optional<String> terraformModule(PresetId preset) {
        String module = versionModules.get(preset.template() + "/" + preset.version());
        return module == null || module.isEmpty() ? Optional.empty() : Optional.of(module);
    }

    @Override
    public synchronized Optional<PresetId> resolve(PresetRef ref) {
        TemplateRow t = templates.get(ref.template());
        if (t == null) {
            return Optional.empty();
        }
        PresetId id = new PresetId(ref.template(), t.activeVersion, ref.preset());
        return presets.containsKey(id) ? Optional.of(id) : Optional.empty();
    }

    @Override
    public synchronized void invalidate(PresetId preset, Instant now) {
        PresetRow p = presets.get(preset);
        if (p == null) {
            throw new NotFoundException("preset " + preset + " does not exist");
        }
        p.invalidatedAt = now;
    }

    // ------------------------------------------------------------------ SettingsPort

    @Override
    public synchronized boolean isPaused() {
        return paused;
    }

    @Override
    public synchronized void setPaused(boolean value, Instant now) {
        paused = value;
    }

    // ------------------------------------------------------------------ ReconciliationLockPort

    @Override
    public synchronized Optional<HeldLock> tryAcquire() {
        if (lockHeld) {
            return Optional.empty();
        }
        lockHeld = true;
        return Optional.of(new HeldLock() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (FakeStore.this) {
                    if (!closed) {
                        closed = true;
                        lockHeld = false;
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ ClaimWaitersPort

    @Override
    public synchronized java.util.OptionalLong join(PresetId preset, Instant now, Instant expiresAt, int maxWaiters) {
        if (!presets.containsKey(preset)) {
            throw new NotFoundException("preset " + preset + " does not exist");
        }
        waiters.values().removeIf(e -> e.getKey().equals(preset) && !e.getValue().isAfter(now));
        long count = waiters.values().stream().filter(e -> e.getKey().equals(preset)).count();
        if (count >= maxWaiters) {
            return java.util.OptionalLong.empty();
        }
        long number = nextWaiter++;
        waiters.put(number, Map.entry(preset, expiresAt));
        return java.util.OptionalLong.of(number);
    }

    @Override
    public synchronized Turn claimInTurn(long waiter, PresetRef ref, String owner, String name, Instant now) {
        return inTurn(false, waiter, ref, owner, name, now);
    }

    @Override
    public synchronized Turn reserveInTurn(long waiter, PresetRef ref, String owner, String name, Instant now) {
        return inTurn(true, waiter, ref, owner, name, now);
    }

    private Turn inTurn(boolean reserve, long waiter, PresetRef ref, String owner, String name, Instant now) {
        PresetId id = resolve(ref).orElseThrow(() -> notFound(ref));
        Optional<Instant> older = waiters.headMap(waiter).values().stream()
                .filter(e -> e.getKey().equals(id) && e.getValue().isAfter(now))
                .map(Map.Entry::getValue)
                .min(Comparator.naturalOrder());
        if (older.isPresent()) {
            if (PREBUILDS_OWNER.equals(owner)) {
                throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + PREBUILDS_OWNER);
            }
            return new Turn(new Missed(id), older);
        }
        Attempt attempt = reserve ? reserve(ref, owner, name, now) : claim(ref, owner, name, now);
        if (!(attempt instanceof Missed)) {
            waiters.remove(waiter);
        }
        return new Turn(attempt, Optional.empty());
    }

    @Override
    public synchronized void leave(long waiter) {
        waiters.remove(waiter);
    }

    @Override
    public void announce(PresetId preset) {
        for (Consumer<PresetId> listener : readyListeners) {
            try {
                listener.accept(preset);
            } catch (RuntimeException e) {
                // As the adapter's listening thread.
            }
        }
    }

    /** Called inside a synchronized method: the listeners run on another thread, after the change (as after commit). */
    private void announceAfterReturn(PresetId preset) {
        if (!readyListeners.isEmpty()) {
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                synchronized (this) {
                    // waits for the announcing call to return
                }
                announce(preset);
            });
        }
    }

    @Override
    public Subscription listen(Consumer<PresetId> listener) {
        readyListeners.add(listener);
        return () -> readyListeners.remove(listener);
    }

    // ------------------------------------------------------------------ NudgePort

    @Override
    public void nudge(PresetId preset) {
        nudgesSent.add(preset);
        for (Consumer<PresetId> listener : nudgeListeners) {
            try {
                listener.accept(preset);
            } catch (RuntimeException e) {
                // As the adapter's listening thread: a listener's failure never stops later nudges nor reaches the sender.
            }
        }
    }

    @Override
    public Subscription subscribe(Consumer<PresetId> listener) {
        nudgeListeners.add(listener);
        return () -> nudgeListeners.remove(listener);
    }

    // ================================================================== test helpers

    /** Another replica takes the reconciliation lock; close the result to give it back. */
    public HeldLock holdLockElsewhere() {
        return tryAcquire().orElseThrow(() -> new IllegalStateException("the lock is held already"));
    }

    public synchronized boolean lockHeld() {
        return lockHeld;
    }

    /** From now on every {@link #enqueueCreates} batch that contains a create of {@code preset} fails as a whole. */
    public synchronized void failEnqueueCreatesFor(PresetId preset) {
        failEnqueueCreatesFor.add(preset);
    }

    /** The size of each {@link #enqueueCreates} call, in order (failed calls included). */
    public synchronized List<Integer> enqueueCreatesBatches() {
        return List.copyOf(enqueueCreatesBatches);
    }

    public synchronized int snapshotLoads() {
        return snapshotLoads;
    }

    public List<PresetId> nudges() {
        return List.copyOf(nudgesSent);
    }

    public synchronized FailureState failureState(PresetId preset) {
        return presets.get(preset).failure;
    }

    public synchronized void setFailureState(PresetId preset, FailureState state) {
        presets.get(preset).failure = Objects.requireNonNull(state);
    }

    /** A ready prebuild whose create succeeded at {@code readyAt}, as if a worker had built it. */
    public synchronized WorkspaceId seedReadyPrebuild(PresetId preset, WorkspaceId id, Instant readyAt,
                                                      Map<String, String> outputs) {
        WorkspaceRow w = seedWorkspace(preset, id, readyAt);
        BuildRow b = w.latest();
        b.status = Status.SUCCEEDED;
        b.attempt = 1;
        b.startedAt = readyAt;
        b.finishedAt = readyAt;
        w.readyAt = readyAt;
        w.outputs = Map.copyOf(outputs);
        return id;
    }

    /** A prebuild whose create failed at {@code failedAt}. */
    public synchronized WorkspaceId seedFailedPrebuild(PresetId preset, WorkspaceId id, Instant failedAt) {
        WorkspaceRow w = seedWorkspace(preset, id, failedAt);
        BuildRow b = w.latest();
        b.status = Status.FAILED;
        b.attempt = 1;
        b.startedAt = failedAt;
        b.finishedAt = failedAt;
        b.errorCode = "failed";
        b.error = "seeded failure";
        return id;
    }

    private WorkspaceRow seedWorkspace(PresetId preset, WorkspaceId id, Instant at) {
        if (!presets.containsKey(preset) || workspaces.containsKey(id)) {
            throw new IllegalArgumentException("cannot seed " + id + " of " + preset);
        }
        WorkspaceRow w = new WorkspaceRow(id, "seeded-" + id.text().substring(0, 8), preset, at);
        workspaces.put(id, w);
        addBuild(w, Transition.CREATE, CREATE_REASON, at);
        return w;
    }

    /** The phase of a workspace ({@code DELETED} when its create was canceled), or empty when it never existed. */
    public synchronized Optional<Phase> phaseOf(WorkspaceId id) {
        return Optional.ofNullable(workspaces.get(id)).map(FakeStore::phase);
    }

    /** The preset's unclaimed workspaces in {@code phase}, oldest first. */
    public synchronized List<WorkspaceId> prebuilds(PresetId preset, Phase phase) {
        return prebuildsOf(preset).stream().filter(w -> phase(w) == phase)
                .sorted(DeleteOrder.by((WorkspaceRow w) -> w.createdAt, w -> w.id))
                .map(w -> w.id).toList();
    }

    /** Jobs of every workspace with the given transition and status ({@code pending}, {@code running}, …). */
    public synchronized List<BuildView> jobs(Transition transition, String status) {
        return builds.values().stream()
                .filter(b -> b.transition == transition && b.status.name().equalsIgnoreCase(status))
                .map(FakeStore::view).toList();
    }

    /** The workspace a job belongs to. */
    public synchronized WorkspaceId workspaceOf(JobId job) {
        return builds.get(job.value()).workspace;
    }

    /** When the job last heartbeated (null when not running). */
    public synchronized Instant heartbeatAt(JobId job) {
        return builds.get(job.value()).heartbeatAt;
    }

    /** Everything stored, as text: equal dumps mean equal contents. */
    public synchronized String dump() {
        StringBuilder sb = new StringBuilder();
        sb.append("paused=").append(paused).append('\n');
        templates.forEach((name, t) -> sb.append("template ").append(name).append(" active=").append(t.activeVersion)
                .append(" deprecated=").append(t.deprecated).append(" deleted=").append(t.deleted).append('\n'));
        presets.values().forEach(p -> sb.append("preset ").append(p.id).append(' ').append(new TreeMap<>(p.parameters))
                .append(' ').append(p.policy).append(" invalidatedAt=").append(p.invalidatedAt)
                .append(' ').append(p.failure).append('\n'));
        workspaces.values().forEach(w -> sb.append("workspace ").append(w.id).append(' ').append(w.name).append(' ')
                .append(w.owner).append(' ').append(w.preset).append(" created=").append(w.createdAt)
                .append(" ready=").append(w.readyAt).append(" claimed=").append(w.claimedAt).append(' ')
                .append(new TreeMap<>(w.outputs)).append('\n'));
        builds.values().forEach(b -> sb.append("build ").append(b.id).append(' ').append(b.transition).append(' ')
                .append(b.workspace).append(' ').append(b.status).append(' ').append(b.reason)
                .append(" attempt=").append(b.attempt).append(" notBefore=").append(b.notBefore)
                .append(" heartbeat=").append(b.heartbeatAt).append(" worker=").append(b.worker)
                .append(" finished=").append(b.finishedAt).append(' ').append(b.errorCode).append('\n'));
        return sb.toString();
    }

    @Override
    public synchronized String toString() {
        return workspaces.values().stream().map(w -> w.id + ":" + phase(w)).collect(Collectors.joining(", ", "FakeStore[", "]"));
    }
}
