package io.warmpool.application.service;

import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsValidator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operator actions (A4, A5): apply presets, resume and invalidate presets, pause, release. */
public final class PresetOperationsService
        implements ApplyPresetsUseCase, OperatePresetsUseCase, PauseReconciliationUseCase, ReleaseWorkspaceUseCase {

    private static final Logger LOG = LoggerFactory.getLogger(PresetOperationsService.class);
    /**
     * Every operator action, at INFO, from the logger {@code io.warmpool.operator} (component {@code operator}); who
     * did it is the record's {@code actor} field, set where the request was authenticated.
     */
    static final Logger OPERATOR = LoggerFactory.getLogger("io.warmpool.operator");

    private final Clock clock;
    private final PresetStorePort presets;
    private final FailureStatePort failures;
    private final SettingsPort settings;
    private final WorkspacePort workspaces;
    private final BuildQueuePort queue;
    private final NudgePort nudges;
    private final EventSinkPort events;
    private final FailurePolicy failurePolicy;

    public PresetOperationsService(Clock clock, PresetStorePort presets, FailureStatePort failures,
                                   SettingsPort settings, WorkspacePort workspaces, BuildQueuePort queue,
                                   NudgePort nudges, EventSinkPort events, FailurePolicy failurePolicy) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.presets = Objects.requireNonNull(presets, "presets");
        this.failures = Objects.requireNonNull(failures, "failures");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.nudges = Objects.requireNonNull(nudges, "nudges");
        this.events = Objects.requireNonNull(events, "events");
        this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
    }

    @Override
    public ApplyPresetsUseCase.Preview preview(PresetsInput input) {
        PresetsDocument document = PresetsValidator.validate(input);
        List<PresetStorePort.StoredVersion> stored = presets.stored(
                document.templates().stream().map(io.warmpool.domain.definition.TemplateDefinition::name).toList());
        List<io.warmpool.domain.definition.ValidationError> errors = PresetsDiff.storeErrors(document, stored);
        if (!errors.isEmpty()) {
            throw new InvalidDefinitionException(errors);
        }
        return PresetsDiff.of(document, stored);
    }

    @Override
    public ApplyPresetsUseCase.Applied apply(PresetsInput input) {
        PresetsDocument document = PresetsValidator.validate(input);
        PresetStorePort.ApplyOutcome outcome = presets.apply(document, Clocks.now(clock));
        if (outcome instanceof PresetStorePort.Rejected rejected) {
            throw new InvalidDefinitionException(rejected.errors());
        }
        PresetStorePort.Applied stored = (PresetStorePort.Applied) outcome;
        OPERATOR.info("applied presets: " + stored.templates() + " template(s), " + stored.versionsCreated()
                + " new version(s), " + stored.presetsCreated() + " preset(s) created, " + stored.presetsUpdated() + " updated");
        return new ApplyPresetsUseCase.Applied(stored.templates(), stored.versionsCreated(), stored.presetsCreated(),
                stored.presetsUpdated());
    }

    @Override
    public FailureTransition resume(PresetRef preset) {
        PresetId id = resolve(preset);
        FailureTransition transition = failures.update(id, failurePolicy::resume);
        events.publish(List.of(Event.of(Clocks.now(clock), EventType.PRESET_RESUMED, id, null)
                .with("from", transition.before().status().name())));
        try (LogContext context = LogContext.of(id, null)) {
            OPERATOR.info("resumed preset (was " + transition.before().status().name().toLowerCase(java.util.Locale.ROOT)
                    + ", k=" + transition.after().consecutiveFailures() + ")");
        }
        nudge(id);
        return transition;
    }

    @Override
    public PresetId invalidate(PresetRef preset) {
        PresetId id = resolve(preset);
        Instant now = Clocks.now(clock);
        presets.invalidate(id, now);
        events.publish(List.of(Event.of(now, EventType.PRESET_INVALIDATED, id, null)));
        try (LogContext context = LogContext.of(id, null)) {
            OPERATOR.info("invalidated preset: its prebuilds are replaced");
        }
        nudge(id);
        return id;
    }

    @Override
    public void pause() {
        settings.setPaused(true, Clocks.now(clock));
        OPERATOR.info("paused reconciliation (every replica)");
    }

    @Override
    public void resume() {
        settings.setPaused(false, Clocks.now(clock));
        OPERATOR.info("resumed reconciliation (every replica)");
    }

    @Override
    public boolean isPaused() {
        return settings.isPaused();
    }

    @Override
    public void release(WorkspaceId workspace) {
        WorkspaceView view = workspaces.find(workspace)
                .orElseThrow(() -> new NotFoundException("workspace " + workspace + " does not exist"));
        if (!view.claimed()) {
            throw new ConflictException("workspace " + workspace + " is an unclaimed prebuild; warmpool manages it");
        }
        if (beingDeleted(view)) {
            // released before: the same answer again (idempotent), nothing enqueued, no second event
            try (LogContext context = LogContext.of(view.preset(), workspace)) {
                OPERATOR.info("released workspace again: its delete was already queued");
            }
            return;
        }
        Instant now = Clocks.now(clock);
        int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(workspace, view.preset(), DeleteRequest.Reason.RELEASED)), now);
        if (enqueued == 0) {
            // A concurrent release won the race: released all the same. Anything else that refused the delete is a conflict.
            if (workspaces.find(workspace).map(PresetOperationsService::beingDeleted).orElse(true)) {
                return;
            }
            throw new ConflictException("workspace " + workspace + " cannot be released now (a build of it is in progress)");
        }
        events.publish(List.of(Event.of(now, EventType.DELETE_STARTED, view.preset(), workspace)
                .with("reason", DeleteRequest.Reason.RELEASED.name())));
        try (LogContext context = LogContext.of(view.preset(), workspace)) {
            OPERATOR.info("released workspace: its delete is queued");
        }
    }

    private static boolean beingDeleted(WorkspaceView view) {
        return view.phase() == Phase.DELETING || view.phase() == Phase.DELETED;
    }

    private PresetId resolve(PresetRef preset) {
        return presets.resolve(preset).orElseThrow(() -> new NotFoundException(
                "preset " + preset + " does not exist in the active version of template " + preset.template()));
    }

    private void nudge(PresetId id) {
        try {
            nudges.nudge(id);
        } catch (RuntimeException e) {
            LOG.warn("nudge failed (the next pass will catch up): " + PassPlanner.describe(e));
        }
    }
}
