package io.warmpool.application.service;

import io.warmpool.application.port.in.ApplyPresetsUseCase.Applied;
import io.warmpool.application.port.in.ApplyPresetsUseCase.Change;
import io.warmpool.application.port.in.ApplyPresetsUseCase.Preview;
import io.warmpool.application.port.out.PresetStorePort.StoredVersion;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.definition.DefinitionView;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsValidator;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.definition.ValidationError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A dry run of a validated presets file against the stored versions of its templates: the same store checks as an
 * apply (parameters and Terraform module of an existing version cannot change), the counters an apply would
 * answer, and the changes, compared with what is live — each template's active version:
 * <ul>
 *   <li>a template not stored: {@code add} it (field {@code version}) and each of its presets;</li>
 *   <li>{@code deprecated} set: {@code deprecate}; {@code deleted} set: {@code remove}; either cleared: {@code change};</li>
 *   <li>another version becomes active: {@code change} of {@code version}; presets of the active version missing
 *       from the file: {@code remove} (they go inactive); presets new to it: {@code add};</li>
 *   <li>a preset in both: one {@code change} per field (parameters and prebuild policy, by the file's key names)
 *       whose value differs.</li>
 * </ul>
 */
final class PresetsDiff {

    private PresetsDiff() {
    }

    /** The store's rejections of {@code document} (empty when it may be applied). */
    static List<ValidationError> storeErrors(PresetsDocument document, List<StoredVersion> stored) {
        Map<PresetId, Map<String, String>> parameters = new HashMap<>();
        Map<String, String> modules = new HashMap<>();
        for (StoredVersion v : stored) {
            TemplateDefinition t = v.definition();
            modules.put(t.name() + "/" + t.version(), t.terraformModule() == null ? "" : t.terraformModule());
            t.presets().forEach(p -> parameters.put(t.idOf(p), p.parameters()));
        }
        Set<PresetId> named = document.parametersById().keySet();
        parameters.keySet().retainAll(named);
        List<ValidationError> errors = new ArrayList<>(PresetsValidator.immutabilityErrors(document, parameters));
        Set<String> versions = new HashSet<>();
        document.templates().forEach(t -> versions.add(t.name() + "/" + t.version()));
        modules.keySet().retainAll(versions);
        errors.addAll(PresetsValidator.terraformModuleErrors(document, modules));
        return errors;
    }

    static Preview of(PresetsDocument document, List<StoredVersion> stored) {
        List<Change> changes = new ArrayList<>();
        int versionsCreated = 0;
        int presetsCreated = 0;
        int presetsUpdated = 0;
        for (TemplateDefinition t : document.templates()) {
            List<StoredVersion> versions = stored.stream().filter(v -> v.definition().name().equals(t.name())).toList();
            Optional<TemplateDefinition> same = versions.stream().map(StoredVersion::definition)
                    .filter(v -> v.version().equals(t.version())).findFirst();
            versionsCreated += same.isPresent() ? 0 : 1;
            for (PresetDefinition p : t.presets()) {
                boolean exists = same.isPresent() && same.get().presets().stream().anyMatch(q -> q.name().equals(p.name()));
                if (exists) {
                    presetsUpdated++;
                } else {
                    presetsCreated++;
                }
            }
            if (versions.isEmpty()) {
                changes.add(new Change("add", t.name(), "version", null, t.version()));
                flags(t, false, false, changes);
                t.presets().forEach(p -> changes.add(new Change("add", t.name() + "/" + p.name(), null, null, null)));
                continue;
            }
            TemplateDefinition any = versions.get(0).definition();
            flags(t, any.deprecated(), any.deleted(), changes);
            Optional<TemplateDefinition> active = versions.stream().filter(StoredVersion::active)
                    .map(StoredVersion::definition).findFirst();
            String liveVersion = active.map(TemplateDefinition::version).orElse(null);
            if (!t.version().equals(liveVersion)) {
                changes.add(new Change("change", t.name(), "version", liveVersion, t.version()));
            }
            TemplateDefinition base = active.orElse(same.orElse(null));
            Map<String, PresetDefinition> before = new LinkedHashMap<>();
            if (base != null) {
                base.presets().forEach(p -> before.put(p.name(), p));
            }
            Set<String> inFile = new LinkedHashSet<>();
            for (PresetDefinition p : t.presets()) {
                inFile.add(p.name());
                String target = t.name() + "/" + p.name();
                PresetDefinition old = before.get(p.name());
                if (old == null) {
                    changes.add(new Change("add", target, null, null, null));
                    continue;
                }
                Map<String, String> from = DefinitionView.fields(old);
                Map<String, String> to = DefinitionView.fields(p);
                Set<String> keys = new LinkedHashSet<>(from.keySet());
                keys.addAll(to.keySet());
                for (String key : keys) {
                    if (!Objects.equals(from.get(key), to.get(key))) {
                        changes.add(new Change("change", target, key, from.get(key), to.get(key)));
                    }
                }
            }
            if (base != null && !base.version().equals(t.version())) {
                before.keySet().stream().filter(name -> !inFile.contains(name))
                        .forEach(name -> changes.add(new Change("remove", t.name() + "/" + name, null, null, null)));
            }
        }
        return new Preview(new Applied(document.templates().size(), versionsCreated, presetsCreated, presetsUpdated),
                changes);
    }

    private static void flags(TemplateDefinition t, boolean deprecated, boolean deleted, List<Change> changes) {
        if (t.deprecated() != deprecated) {
            changes.add(t.deprecated() ? new Change("deprecate", t.name(), "deprecated", "false", "true")
                    : new Change("change", t.name(), "deprecated", "true", "false"));
        }
        if (t.deleted() != deleted) {
            changes.add(t.deleted() ? new Change("remove", t.name(), "deleted", "false", "true")
                    : new Change("change", t.name(), "deleted", "true", "false"));
        }
    }
}
