package io.warmpool.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Test data for the port contracts, written through the ports only, so that the fake and the database are seeded
 * the same way: presets through {@code apply}, workspaces by enqueueing, taking and completing their builds (and
 * claiming them), failure states through {@code update}; and reads back through the read ports.
 *
 * <p>A seeded prebuild's create is enqueued (its workspace created) at the instant given and succeeds
 * {@link #READY_AFTER} later, so that a contract can tell a workspace's creation from its readiness.
 */
public final class PortSeed {

    /** The first instant of every contract test. */
    public static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** How long after its creation a seeded prebuild's create succeeds. */
    public static final Duration READY_AFTER = Duration.ofSeconds(7);

    private static final WorkerId SEEDER = new WorkerId("seed/w0");
    private static final Function<FailureState, FailureTransition> NO_CHANGE = s -> new FailureTransition(s, s);

    private final StorePorts store;

    public PortSeed(StorePorts store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- presets

    /** Stores {@code template} at version {@code v1} (made active) with one preset, and returns its id. */
    public PresetId preset(String template, String preset, Map<String, String> parameters) {
        return preset(template, "v1", preset, parameters, Duration.ZERO, false, false);
    }

    /** Stores one template version with one preset (TTL and template flags as given); it becomes active. */
    public PresetId preset(String template, String version, String preset, Map<String, String> parameters, Duration ttl,
                           boolean deprecated, boolean deleted) {
        PresetDefinition definition = new PresetDefinition(preset, parameters,
                new PrebuildPolicy(3, ttl, PrebuildSchedule.none()));
        TemplateDefinition t = new TemplateDefinition(template, version, deprecated, deleted, List.of(definition));
        PresetStorePort.ApplyOutcome outcome = store.presets().apply(new PresetsDocument(List.of(t)), T0);
        assertThat(outcome).as("seeding %s", t.idOf(definition)).isInstanceOf(PresetStorePort.Applied.class);
        return t.idOf(definition);
    }

    /** Stores {@code template} at version {@code v1} (made active) with one preset of this policy. */
    public PresetId preset(String template, String preset, PrebuildPolicy policy) {
        PresetDefinition definition = new PresetDefinition(preset, Map.of("cpu", "2"), policy);
        TemplateDefinition t = new TemplateDefinition(template, "v1", false, false, List.of(definition));
        PresetStorePort.ApplyOutcome outcome = store.presets().apply(new PresetsDocument(List.of(t)), T0);
        assertThat(outcome).as("seeding %s", t.idOf(definition)).isInstanceOf(PresetStorePort.Applied.class);
        return t.idOf(definition);
    }

    /** Sets the preset's failure state (through {@code FailureStatePort.update}). */
    public void failureState(PresetId preset, FailureState state) {
        store.failureStates().update(preset, s -> new FailureTransition(s, state));
    }

    /** The preset as the snapshot reads it. */
    public PresetSnapshot snapshot(PresetId preset) {
        List<PresetSnapshot> presets = store.snapshots()
                .load(Scope.of(Set.of(preset))).presets();
        assertThat(presets).as("snapshot of %s", preset).hasSize(1);
        return presets.get(0);
    }

    /** The preset's stored failure state, as the snapshot reads it. */
    public FailureState failureState(PresetId preset) {
        return snapshot(preset).failure();
    }

    // ---------------------------------------------------------------- workspaces

    /** {@code n} create requests of {@code preset} with fresh ids. */
    public static List<CreateRequest> creates(PresetId preset, int n) {
        List<CreateRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            UUID id = UUID.randomUUID();
            out.add(new CreateRequest(new WorkspaceId(id), "prebuild-" + id.toString().replace("-", ""), preset));
        }
        return out;
    }

    /** A starting prebuild: its create is pending since {@code at}. */
    public WorkspaceId startingPrebuild(PresetId preset, Instant at) {
        CreateRequest create = creates(preset, 1).get(0);
        store.queue().enqueueCreates(List.of(create), at);
        return create.workspace();
    }

    /**
     * A ready prebuild, created at {@code createdAt}, whose create succeeded {@link #READY_AFTER} later with
     * {@code outputs}. Seed it before enqueueing other jobs that a worker could take at {@code createdAt}.
     */
    public WorkspaceId runningPrebuild(PresetId preset, Instant createdAt, Map<String, String> outputs) {
        WorkspaceId id = startingPrebuild(preset, createdAt);
        Job job = take(id, createdAt);
        store.queue().complete(job.id(), SEEDER, new JobResult.Succeeded(outputs, "seeded"),
                createdAt.plus(READY_AFTER), NO_CHANGE);
        return id;
    }

    /** A prebuild whose create failed {@link #READY_AFTER} after {@code createdAt} (its failure state left alone). */
    public WorkspaceId failedPrebuild(PresetId preset, Instant createdAt) {
        WorkspaceId id = startingPrebuild(preset, createdAt);
        Job job = take(id, createdAt);
        store.queue().complete(job.id(), SEEDER, new JobResult.Failed("failed", "seeded failure", false, ""),
                createdAt.plus(READY_AFTER), NO_CHANGE);
        return id;
    }

    /** A running prebuild whose delete is pending since {@code deleteAt}. */
    public WorkspaceId deletingPrebuild(PresetId preset, Instant createdAt, Instant deleteAt) {
        WorkspaceId id = runningPrebuild(preset, createdAt, Map.of());
        assertThat(store.queue().enqueueDeletes(List.of(new DeleteRequest(id, preset, DeleteRequest.Reason.EXPIRED)), deleteAt)).isEqualTo(1);
        return id;
    }

    /** A prebuild deleted at {@code deleteAt}. */
    public WorkspaceId deletedPrebuild(PresetId preset, Instant createdAt, Instant deleteAt) {
        WorkspaceId id = deletingPrebuild(preset, createdAt, deleteAt);
        Job job = take(id, deleteAt);
        store.queue().complete(job.id(), SEEDER, new JobResult.Succeeded(Map.of(), "deleted"), deleteAt, NO_CHANGE);
        return id;
    }

    /**
     * A workspace that {@code owner} claimed at {@code claimedAt}: a running prebuild created at {@code createdAt}
     * (the preset's oldest eligible one) claimed under the name {@code owner-dev}. The preset must be active.
     */
    public WorkspaceId claimed(PresetId preset, String owner, Instant createdAt, Instant claimedAt,
                               Map<String, String> outputs) {
        WorkspaceId id = runningPrebuild(preset, createdAt, outputs);
        ClaimPort.Attempt attempt = store.claims().claim(new PresetRef(preset.template(), preset.preset()), owner,
                owner + "-dev", claimedAt);
        assertThat(attempt).as("seeding a claim of %s", id).isInstanceOf(ClaimPort.Claimed.class);
        assertThat(((ClaimPort.Claimed) attempt).workspace().id()).as("the claim takes the seeded prebuild").isEqualTo(id);
        return id;
    }

    /** Takes the next job at {@code at}, which must be one of {@code workspace}'s. */
    private Job take(WorkspaceId workspace, Instant at) {
        Job job = store.queue().acquire(SEEDER, at).orElseThrow(() -> new AssertionError("no job to seed " + workspace));
        assertThat(job.workspace()).as("the seeder takes the seeded workspace's job (seed before other jobs)")
                .isEqualTo(workspace);
        return job;
    }

    // ---------------------------------------------------------------- reads

    public WorkspaceView workspace(WorkspaceId id) {
        return store.workspaces().find(id).orElseThrow(() -> new AssertionError("no workspace " + id));
    }

    /** The workspace's builds, oldest first. */
    public List<BuildView> builds(WorkspaceId id) {
        return store.workspaces().builds(id);
    }

    /** The build of a job. */
    public BuildView build(Job job) {
        return builds(job.workspace()).stream().filter(b -> b.id().equals(job.id())).findFirst()
                .orElseThrow(() -> new AssertionError("no build " + job.id()));
    }

    /** Every stored workspace (up to 1000), newest first. */
    public List<WorkspaceView> allWorkspaces() {
        return store.workspaces().list(null, null, 1000);
    }
}
