package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.ValidationError;
import java.time.Instant;
import io.warmpool.domain.definition.TemplateDefinition;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Templates, versions and presets. */
public interface PresetStorePort {

    /**
     * Applies a validated presets file in one transaction, all or nothing: each template's version becomes its
     * active version (created when new, with a clean failure state for each preset), flags and prebuild policies
     * are updated in place. Within the same transaction it checks, with
     * {@link io.warmpool.domain.definition.PresetsValidator#immutabilityErrors}, that no existing version's preset
     * changes its parameters; if any does, nothing is stored and the errors are returned.
     */
    ApplyOutcome apply(PresetsDocument document, Instant now);

    /**
     * The Terraform root module of the preset's template version ({@code terraform: {module: DIR}}), as written;
     * empty when the version names none (or does not exist). Never changes once the version is stored.
     */
    Optional<String> terraformModule(PresetId preset);

    /** The preset {@code template/preset} names: that preset of the template's active version. */
    Optional<PresetId> resolve(PresetRef ref);

    /**
     * Sets the preset's {@code invalidatedAt} to {@code now}, which rolls every current prebuild over (R6).
     *
     * @throws NotFoundException when the preset does not exist
     */
    void invalidate(PresetId preset, Instant now);

    /**
     * Every stored version of the named templates, as applied: the template's flags, each version's presets with
     * their parameters and prebuild policy (sources empty), and which version is active. One consistent read.
     * Versions of a template in the order they were created; templates by name; unknown names are left out.
     */
    List<StoredVersion> stored(Collection<String> templates);

    /** One stored template version; {@code definition}'s flags are the template's. */
    record StoredVersion(TemplateDefinition definition, boolean active) {
        public StoredVersion {
            Objects.requireNonNull(definition, "definition");
        }
    }

    /** The result of {@link #apply}. */
    sealed interface ApplyOutcome permits Applied, Rejected {
    }

    /** Stored. Counts of what changed, for the operator. */
    record Applied(int templates, int versionsCreated, int presetsCreated, int presetsUpdated) implements ApplyOutcome {
    }

    /** Nothing stored. */
    record Rejected(List<ValidationError> errors) implements ApplyOutcome {
        public Rejected {
            errors = List.copyOf(errors);
        }
    }
}
