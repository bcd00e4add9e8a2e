package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_SCHEDULE_WINDOWS;
import static io.warmpool.adapters.db.jooq.Tables.SETTINGS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;

import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsValidator;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Templates, versions, presets, the per-preset failure state and cluster settings on PostgreSQL.
 * Implements {@link PresetStorePort}, {@link FailureStatePort} and {@link SettingsPort}.
 */
final class JooqPresetStoreAdapter implements PresetStorePort, FailureStatePort, SettingsPort {

    /** Serializes concurrent applies (transaction-scoped advisory lock), so the immutability check is exact. */
    private static final long APPLY_LOCK_KEY = 0x7761726d_00000001L;
    static final String PAUSED_KEY = "paused";

    private final DSLContext dsl;
    private final PresetIds presetIds;
    private final Clock clock;

    JooqPresetStoreAdapter(DSLContext dsl, PresetIds presetIds, Clock clock) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public ApplyOutcome apply(PresetsDocument document, Instant now) {
        return DbErrors.guard("applying presets", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(APPLY_LOCK_KEY))).fetch();
            List<ValidationError> errors = new java.util.ArrayList<>(
                    PresetsValidator.immutabilityErrors(document, storedParameters(tx, document)));
            errors.addAll(PresetsValidator.terraformModuleErrors(document, storedModules(tx, document)));
            if (!errors.isEmpty()) {
                return new Rejected(errors);
            }
            int versionsCreated = 0;
            int presetsCreated = 0;
            int presetsUpdated = 0;
            for (TemplateDefinition template : document.templates()) {
                long templateId = upsertTemplate(tx, template, now);
                Long versionId = tx.select(TEMPLATE_VERSIONS.ID).from(TEMPLATE_VERSIONS)
                        .where(TEMPLATE_VERSIONS.TEMPLATE_ID.eq(templateId), TEMPLATE_VERSIONS.NAME.eq(template.version()))
                        .fetchOne(TEMPLATE_VERSIONS.ID);
                if (versionId == null) {
                    versionId = tx.insertInto(TEMPLATE_VERSIONS)
                            .set(TEMPLATE_VERSIONS.TEMPLATE_ID, templateId)
                            .set(TEMPLATE_VERSIONS.NAME, template.version())
                            .set(TEMPLATE_VERSIONS.ACTIVE, false)
                            .set(TEMPLATE_VERSIONS.CREATED_AT, now)
                            .set(TEMPLATE_VERSIONS.TERRAFORM_MODULE, template.terraformModule())
                            .returning(TEMPLATE_VERSIONS.ID).fetchOne(TEMPLATE_VERSIONS.ID);
                    versionsCreated++;
                }
                // Two statements: the one-active-version unique index is checked row by row.
                tx.update(TEMPLATE_VERSIONS).set(TEMPLATE_VERSIONS.ACTIVE, false)
                        .where(TEMPLATE_VERSIONS.TEMPLATE_ID.eq(templateId), TEMPLATE_VERSIONS.ID.ne(versionId), TEMPLATE_VERSIONS.ACTIVE.isTrue())
                        .execute();
                tx.update(TEMPLATE_VERSIONS).set(TEMPLATE_VERSIONS.ACTIVE, true).where(TEMPLATE_VERSIONS.ID.eq(versionId)).execute();
                for (PresetDefinition preset : template.presets()) {
                    if (upsertPreset(tx, versionId, template.idOf(preset), preset, now)) {
                        presetsCreated++;
                    } else {
                        presetsUpdated++;
                    }
                }
            }
            return new Applied(document.templates().size(), versionsCreated, presetsCreated, presetsUpdated);
        }));
    }

    private Map<PresetId, Map<String, String>> storedParameters(DSLContext tx, PresetsDocument document) {
        var keys = document.templates().stream().map(t -> DSL.row(t.name(), t.version())).toList();
        Map<PresetId, Map<String, String>> out = new HashMap<>();
        tx.select(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME, PRESETS.PARAMETERS)
                .from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(DSL.row(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME).in(keys))
                .forEach(r -> out.put(new PresetId(r.value1(), r.value2(), r.value3()), Json.map(r.value4())));
        return out;
    }

    /** The stored module of each version {@code document} names, by {@code template/version}; {@code ""} for none. */
    private static Map<String, String> storedModules(DSLContext tx, PresetsDocument document) {
        var keys = document.templates().stream().map(t -> DSL.row(t.name(), t.version())).toList();
        Map<String, String> out = new HashMap<>();
        tx.select(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, TEMPLATE_VERSIONS.TERRAFORM_MODULE)
                .from(TEMPLATE_VERSIONS)
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(DSL.row(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME).in(keys))
                .forEach(r -> out.put(r.value1() + "/" + r.value2(), r.value3() == null ? "" : r.value3()));
        return out;
    }

    @Override
    public List<StoredVersion> stored(java.util.Collection<String> templates) {
        Objects.requireNonNull(templates, "templates");
        if (templates.isEmpty()) {
            return List.of();
        }
        return DbErrors.guard("reading stored presets", () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Map<Long, List<ScheduleWindow>> windows = new HashMap<>();
            tx.select(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.CRON, PRESET_SCHEDULE_WINDOWS.INSTANCES)
                    .from(PRESET_SCHEDULE_WINDOWS)
                    .join(PRESETS).on(PRESETS.ID.eq(PRESET_SCHEDULE_WINDOWS.PRESET_ID))
                    .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                    .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                    .where(TEMPLATES.NAME.in(templates))
                    .orderBy(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.POSITION)
                    .forEach(r -> windows.computeIfAbsent(r.value1(), k -> new java.util.ArrayList<>())
                            .add(new ScheduleWindow(io.warmpool.domain.schedule.CronWindow.parse(r.value2()), r.value3())));
            // template version id → its row and presets, in creation order
            Map<Long, org.jooq.Record> versions = new java.util.LinkedHashMap<>();
            Map<Long, List<PresetDefinition>> presetsOf = new HashMap<>();
            tx.select(TEMPLATES.NAME, TEMPLATES.DEPRECATED, TEMPLATES.DELETED, TEMPLATE_VERSIONS.ID, TEMPLATE_VERSIONS.NAME,
                            TEMPLATE_VERSIONS.ACTIVE, TEMPLATE_VERSIONS.TERRAFORM_MODULE, PRESETS.ID, PRESETS.NAME,
                            PRESETS.PARAMETERS, PRESETS.INSTANCES, PRESETS.TTL_MS, PRESETS.TIMEZONE, PRESETS.READINESS_CHECK,
                            PRESETS.READINESS_TIMEOUT_MS, PRESETS.HEALTH_INTERVAL_MS, PRESETS.HEALTH_UNHEALTHY_AFTER,
                            PRESETS.AUTOSCALE_TARGET_HIT_RATE, PRESETS.AUTOSCALE_MIN, PRESETS.AUTOSCALE_MAX,
                            PRESETS.AUTOSCALE_LOOKBACK_MS)
                    .from(TEMPLATE_VERSIONS)
                    .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                    .leftJoin(PRESETS).on(PRESETS.VERSION_ID.eq(TEMPLATE_VERSIONS.ID))
                    .where(TEMPLATES.NAME.in(templates))
                    .orderBy(TEMPLATES.NAME, TEMPLATE_VERSIONS.ID, PRESETS.NAME)
                    .forEach(r -> {
                        long versionId = r.get(TEMPLATE_VERSIONS.ID);
                        versions.putIfAbsent(versionId, r);
                        List<PresetDefinition> presets = presetsOf.computeIfAbsent(versionId, k -> new java.util.ArrayList<>());
                        Long presetId = r.get(PRESETS.ID);
                        if (presetId == null) {
                            return;
                        }
                        String check = r.get(PRESETS.READINESS_CHECK);
                        io.warmpool.domain.Readiness readiness = check == null ? null : new io.warmpool.domain.Readiness(
                                io.warmpool.domain.Readiness.Check.fromWire(check).orElseThrow(),
                                java.time.Duration.ofMillis(r.get(PRESETS.READINESS_TIMEOUT_MS)));
                        Long interval = r.get(PRESETS.HEALTH_INTERVAL_MS);
                        io.warmpool.domain.Liveness health = interval == null ? null : new io.warmpool.domain.Liveness(
                                java.time.Duration.ofMillis(interval), r.get(PRESETS.HEALTH_UNHEALTHY_AFTER));
                        Double target = r.get(PRESETS.AUTOSCALE_TARGET_HIT_RATE);
                        Autoscale autoscale = target == null ? null : new Autoscale(target, r.get(PRESETS.AUTOSCALE_MIN),
                                r.get(PRESETS.AUTOSCALE_MAX), java.time.Duration.ofMillis(r.get(PRESETS.AUTOSCALE_LOOKBACK_MS)));
                        PrebuildPolicy policy = new PrebuildPolicy(r.get(PRESETS.INSTANCES),
                                java.time.Duration.ofMillis(r.get(PRESETS.TTL_MS)),
                                new io.warmpool.domain.schedule.PrebuildSchedule(java.time.ZoneId.of(r.get(PRESETS.TIMEZONE)),
                                        windows.getOrDefault(presetId, List.of())), readiness, health, autoscale);
                        presets.add(new PresetDefinition(r.get(PRESETS.NAME), Json.map(r.get(PRESETS.PARAMETERS)), policy));
                    });
            List<StoredVersion> out = new java.util.ArrayList<>();
            versions.forEach((versionId, r) -> {
                String module = r.get(TEMPLATE_VERSIONS.TERRAFORM_MODULE);
                out.add(new StoredVersion(new TemplateDefinition(r.get(TEMPLATES.NAME), r.get(TEMPLATE_VERSIONS.NAME),
                        r.get(TEMPLATES.DEPRECATED), r.get(TEMPLATES.DELETED), presetsOf.get(versionId),
                        module == null ? null : new TemplateDefinition.TerraformModule(module, "")),
                        r.get(TEMPLATE_VERSIONS.ACTIVE)));
            });
            return out;
        }));
    }

    @Override
    public Optional<String> terraformModule(PresetId preset) {
        return DbErrors.guard("reading the terraform module of " + preset, () -> dsl
                .select(TEMPLATE_VERSIONS.TERRAFORM_MODULE)
                .from(TEMPLATE_VERSIONS)
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(TEMPLATES.NAME.eq(preset.template()), TEMPLATE_VERSIONS.NAME.eq(preset.version()))
                .fetchOptional(TEMPLATE_VERSIONS.TERRAFORM_MODULE)
                .flatMap(Optional::ofNullable));
    }

    private static long upsertTemplate(DSLContext tx, TemplateDefinition template, Instant now) {
        return tx.insertInto(TEMPLATES)
                .set(TEMPLATES.NAME, template.name())
                .set(TEMPLATES.DEPRECATED, template.deprecated())
                .set(TEMPLATES.DELETED, template.deleted())
                .set(TEMPLATES.CREATED_AT, now)
                .set(TEMPLATES.UPDATED_AT, now)
                .onConflict(TEMPLATES.NAME).doUpdate()
                .set(TEMPLATES.DEPRECATED, template.deprecated())
                .set(TEMPLATES.DELETED, template.deleted())
                .set(TEMPLATES.UPDATED_AT, now)
                .returning(TEMPLATES.ID).fetchOne(TEMPLATES.ID);
    }

    /** The readiness (R10) and health (R11) columns of a policy; nulls when it has none. */
    static java.util.Map<org.jooq.Field<?>, Object> checks(PrebuildPolicy policy) {
        java.util.Map<org.jooq.Field<?>, Object> out = new java.util.LinkedHashMap<>();
        out.put(PRESETS.READINESS_CHECK, policy.readiness() == null ? null : policy.readiness().check().wire());
        out.put(PRESETS.READINESS_TIMEOUT_MS, policy.readiness() == null ? null : policy.readiness().timeout().toMillis());
        out.put(PRESETS.HEALTH_INTERVAL_MS, policy.health() == null ? null : policy.health().interval().toMillis());
        out.put(PRESETS.HEALTH_UNHEALTHY_AFTER, policy.health() == null ? null : policy.health().unhealthyAfter());
        return out;
    }

    /** The autoscale (R13) columns of a policy; all null when it has none. */
    static java.util.Map<org.jooq.Field<?>, Object> autoscale(PrebuildPolicy policy) {
        Autoscale a = policy.autoscale();
        java.util.Map<org.jooq.Field<?>, Object> out = new java.util.LinkedHashMap<>();
        out.put(PRESETS.AUTOSCALE_TARGET_HIT_RATE, a == null ? null : a.targetHitRate());
        out.put(PRESETS.AUTOSCALE_MIN, a == null ? null : a.min());
        out.put(PRESETS.AUTOSCALE_MAX, a == null ? null : a.max());
        out.put(PRESETS.AUTOSCALE_LOOKBACK_MS, a == null ? null : a.lookback().toMillis());
        return out;
    }

    /** @return true when the preset was created, false when its policy was updated in place */
    private boolean upsertPreset(DSLContext tx, long versionId, PresetId id, PresetDefinition preset, Instant now) {
        PrebuildPolicy policy = preset.policy();
        Long existing = tx.select(PRESETS.ID).from(PRESETS)
                .where(PRESETS.VERSION_ID.eq(versionId), PRESETS.NAME.eq(preset.name()))
                .fetchOne(PRESETS.ID);
        long presetId;
        if (existing == null) {
            presetId = tx.insertInto(PRESETS)
                    .set(PRESETS.VERSION_ID, versionId)
                    .set(PRESETS.NAME, preset.name())
                    .set(PRESETS.PARAMETERS, Json.of(preset.parameters()))
                    .set(PRESETS.INSTANCES, policy.instances())
                    .set(PRESETS.TTL_MS, policy.ttl().toMillis())
                    .set(PRESETS.TIMEZONE, policy.schedule().zone().getId())
                    .set(checks(policy))
                    .set(autoscale(policy))
                    .set(PRESETS.CREATED_AT, now)
                    .set(PRESETS.UPDATED_AT, now)
                    .returning(PRESETS.ID).fetchOne(PRESETS.ID);
            tx.insertInto(PRESET_FAILURE_STATES)
                    .set(PRESET_FAILURE_STATES.PRESET_ID, presetId)
                    .set(PRESET_FAILURE_STATES.UPDATED_AT, now)
                    .execute();
        } else {
            presetId = existing;
            tx.update(PRESETS)
                    .set(PRESETS.INSTANCES, policy.instances())
                    .set(PRESETS.TTL_MS, policy.ttl().toMillis())
                    .set(PRESETS.TIMEZONE, policy.schedule().zone().getId())
                    .set(checks(policy))
                    .set(autoscale(policy))
                    .set(PRESETS.UPDATED_AT, now)
                    .where(PRESETS.ID.eq(presetId))
                    .execute();
            tx.deleteFrom(PRESET_SCHEDULE_WINDOWS).where(PRESET_SCHEDULE_WINDOWS.PRESET_ID.eq(presetId)).execute();
        }
        List<ScheduleWindow> windows = policy.schedule().windows();
        if (!windows.isEmpty()) {
            var insert = tx.insertInto(PRESET_SCHEDULE_WINDOWS, PRESET_SCHEDULE_WINDOWS.PRESET_ID,
                    PRESET_SCHEDULE_WINDOWS.POSITION, PRESET_SCHEDULE_WINDOWS.CRON, PRESET_SCHEDULE_WINDOWS.INSTANCES);
            for (int i = 0; i < windows.size(); i++) {
                insert = insert.values(presetId, i, windows.get(i).cron().expression(), windows.get(i).instances());
            }
            insert.execute();
        }
        presetIds.remember(presetId, id);
        return existing == null;
    }

    @Override
    public Optional<PresetId> resolve(PresetRef ref) {
        return DbErrors.guard("resolving preset " + ref, () -> dsl
                .select(PRESETS.ID, TEMPLATE_VERSIONS.NAME)
                .from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID).and(TEMPLATE_VERSIONS.ACTIVE.isTrue()))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(TEMPLATES.NAME.eq(ref.template()), PRESETS.NAME.eq(ref.preset()))
                .fetchOptional()
                .map(r -> {
                    PresetId id = new PresetId(ref.template(), r.value2(), ref.preset());
                    presetIds.remember(r.value1(), id);
                    return id;
                }));
    }

    @Override
    public void invalidate(PresetId preset, Instant now) {
        DbErrors.guardRun("invalidating preset " + preset, () -> {
            long rowId = presetIds.rowId(dsl, preset);
            int updated = dsl.update(PRESETS).set(PRESETS.INVALIDATED_AT, now).set(PRESETS.UPDATED_AT, now)
                    .where(PRESETS.ID.eq(rowId)).execute();
            if (updated == 0) {
                throw new NotFoundException("preset " + preset + " does not exist");
            }
        });
    }

    @Override
    public FailureTransition update(PresetId preset, Function<FailureState, FailureTransition> change) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return DbErrors.guard("updating the failure state of " + preset, () -> dsl.transactionResult(cfg ->
                FailureStates.update(DSL.using(cfg), presetIds.rowId(DSL.using(cfg), preset), change, now)));
    }

    @Override
    public boolean isPaused() {
        return DbErrors.guard("reading the pause flag", () -> "true".equals(
                dsl.select(SETTINGS.VALUE).from(SETTINGS).where(SETTINGS.KEY.eq(PAUSED_KEY)).fetchOne(SETTINGS.VALUE)));
    }

    @Override
    public void setPaused(boolean paused, Instant now) {
        DbErrors.guardRun("setting the pause flag", () -> dsl.insertInto(SETTINGS)
                .set(SETTINGS.KEY, PAUSED_KEY)
                .set(SETTINGS.VALUE, Boolean.toString(paused))
                .set(SETTINGS.UPDATED_AT, now)
                .onConflict(SETTINGS.KEY).doUpdate()
                .set(SETTINGS.VALUE, Boolean.toString(paused))
                .set(SETTINGS.UPDATED_AT, now)
                .execute());
    }
}
