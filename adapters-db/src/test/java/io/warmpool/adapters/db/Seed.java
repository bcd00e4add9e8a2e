package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.records.BuildsRecord;
import io.warmpool.adapters.db.jooq.tables.records.PresetFailureStatesRecord;
import io.warmpool.adapters.db.jooq.tables.records.WorkspacesRecord;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Test data for the queue, claim and workspace contract tests: presets stored through the real preset store
 * (so the rows are exactly what production writes), workspaces inserted directly in the phase a test needs,
 * and raw reads of rows to check what an adapter changed.
 */
final class Seed {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final DSLContext dsl;
    private final JooqPresetStoreAdapter store;

    Seed(PostgresDatabase db) {
        this.dsl = db.dsl();
        // A separate PresetIds cache, so the adapter under test resolves presets through the database itself.
        this.store = new JooqPresetStoreAdapter(dsl, new PresetIds(), Clock.fixed(T0, ZoneOffset.UTC));
    }

    /** Stores {@code template} at version {@code v1} (made active) with one preset, and returns its id. */
    PresetId preset(String template, String preset, Map<String, String> parameters) {
        return preset(template, "v1", preset, parameters, Duration.ZERO, false, false);
    }

    /** Stores one template version with one preset (TTL and template flags as given); it becomes active. */
    PresetId preset(String template, String version, String preset, Map<String, String> parameters, Duration ttl,
                    boolean deprecated, boolean deleted) {
        PresetDefinition definition = new PresetDefinition(preset, parameters,
                new PrebuildPolicy(3, ttl, PrebuildSchedule.none()));
        TemplateDefinition t = new TemplateDefinition(template, version, deprecated, deleted, List.of(definition));
        PresetStorePort.ApplyOutcome outcome = store.apply(new PresetsDocument(List.of(t)), T0);
        assertThat(outcome).isInstanceOf(PresetStorePort.Applied.class);
        return t.idOf(definition);
    }

    /** Sets the preset's {@code invalidatedAt}. */
    void invalidate(PresetId preset, Instant at) {
        store.invalidate(preset, at);
    }

    /** A ready prebuild: workspace owned by {@code prebuilds}, phase running, with a succeeded create build. */
    WorkspaceId runningPrebuild(PresetId preset, Instant createdAt, Map<String, String> outputs) {
        return workspace(preset, WorkspacePort.PREBUILDS_OWNER, WorkspacePhase.running, createdAt, outputs);
    }

    /** A workspace in any phase, with a finished create build so that its history looks real. */
    WorkspaceId workspace(PresetId preset, String owner, WorkspacePhase phase, Instant createdAt,
                          Map<String, String> outputs) {
        long presetRow = presetRow(preset);
        UUID id = UUID.randomUUID();
        dsl.insertInto(WORKSPACES)
                .set(WORKSPACES.ID, id)
                .set(WORKSPACES.PRESET_ID, presetRow)
                .set(WORKSPACES.OWNER, owner)
                .set(WORKSPACES.NAME, "ws-" + id.toString().substring(0, 8))
                .set(WORKSPACES.PHASE, phase)
                .set(WORKSPACES.CREATED_AT, createdAt)
                .set(WORKSPACES.READY_AT, phase == WorkspacePhase.starting ? null : createdAt)
                .set(WORKSPACES.FAILED_AT, phase == WorkspacePhase.failed ? createdAt : null)
                .set(WORKSPACES.CLAIMED_AT, WorkspacePort.PREBUILDS_OWNER.equals(owner) ? null : createdAt)
                .set(WORKSPACES.OUTPUTS, Json.of(outputs))
                .execute();
        dsl.insertInto(BUILDS)
                .set(BUILDS.WORKSPACE_ID, id)
                .set(BUILDS.PRESET_ID, presetRow)
                .set(BUILDS.TRANSITION, BuildTransition.create)
                .set(BUILDS.STATUS, phase == WorkspacePhase.failed ? BuildStatus.failed : BuildStatus.succeeded)
                .set(BUILDS.REASON, "DESIRED")
                .set(BUILDS.ATTEMPT, 1)
                .set(BUILDS.NOT_BEFORE, createdAt)
                .set(BUILDS.CREATED_AT, createdAt)
                .set(BUILDS.STARTED_AT, createdAt)
                .set(BUILDS.FINISHED_AT, createdAt)
                .execute();
        return new WorkspaceId(id);
    }

    long presetRow(PresetId preset) {
        return new PresetIds().rowId(dsl, preset);
    }

    WorkspacesRecord workspace(WorkspaceId id) {
        return dsl.selectFrom(WORKSPACES).where(WORKSPACES.ID.eq(id.value())).fetchSingle();
    }

    BuildsRecord build(long id) {
        return dsl.selectFrom(BUILDS).where(BUILDS.ID.eq(id)).fetchSingle();
    }

    /** Every build of the workspace, oldest first. */
    List<BuildsRecord> builds(WorkspaceId id) {
        return dsl.selectFrom(BUILDS).where(BUILDS.WORKSPACE_ID.eq(id.value())).orderBy(BUILDS.ID).fetch();
    }

    List<BuildsRecord> allBuilds() {
        return dsl.selectFrom(BUILDS).orderBy(BUILDS.ID).fetch();
    }

    PresetFailureStatesRecord failureState(PresetId preset) {
        return dsl.selectFrom(PRESET_FAILURE_STATES)
                .where(PRESET_FAILURE_STATES.PRESET_ID.eq(presetRow(preset))).fetchSingle();
    }

    DSLContext dsl() {
        return dsl;
    }
}
