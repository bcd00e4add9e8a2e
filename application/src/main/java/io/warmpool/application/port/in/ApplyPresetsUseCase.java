package io.warmpool.application.port.in;

import io.warmpool.domain.definition.PresetsInput;
import java.util.List;

/** A4 — apply a presets file: validated, then stored all or nothing. */
public interface ApplyPresetsUseCase {

    /**
     * @throws io.warmpool.domain.definition.InvalidDefinitionException with every error and its place; nothing is stored
     */
    Applied apply(PresetsInput input);

    /**
     * What was stored (the use case's own answer: a change of the store's read-model does not change it).
     *
     * @param templates       templates in the file
     * @param versionsCreated template versions new in the store (each becomes the active one)
     * @param presetsCreated  presets of those new versions
     * @param presetsUpdated  presets of unchanged versions whose prebuild settings changed
     */
    record Applied(int templates, int versionsCreated, int presetsCreated, int presetsUpdated) {
    }

    /**
     * A dry run: validates the file exactly as {@link #apply} does (the same errors, the same checks against the
     * stored versions) and answers what applying it would change, without storing anything.
     *
     * @throws io.warmpool.domain.definition.InvalidDefinitionException as {@link #apply}
     */
    Preview preview(PresetsInput input);

    /**
     * What {@link #apply} would do.
     *
     * @param counts  the counters {@link #apply} would answer
     * @param changes every change, templates in the file's order, each template's own changes before its presets'
     */
    record Preview(Applied counts, List<Change> changes) {
        public Preview {
            changes = List.copyOf(changes);
        }
    }

    /**
     * One change of a dry run.
     *
     * @param action {@code add} (a new template or preset), {@code change} (a field), {@code remove} (a preset that
     *               leaves the active version, a template marked deleted), {@code deprecate} (a template marked
     *               deprecated)
     * @param target {@code template} or {@code template/preset}
     * @param field  the changed field as the presets file names it ({@code version}, {@code prebuilds.instances},
     *               {@code parameters.cpu}, …), or {@code null}
     * @param from   the stored value as text, or {@code null} (none)
     * @param to     the value in the file as text, or {@code null} (none)
     */
    record Change(String action, String target, String field, String from, String to) {
    }
}
