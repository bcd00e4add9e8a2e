package io.warmpool.domain.definition;

import io.warmpool.domain.PresetId;
import java.util.List;
import java.util.Objects;

/**
 * A validated template entry: applying it makes {@code version} the template's active version.
 *
 * @param deleted   a deleted template is kept for history; its presets are inactive and their prebuilds are deleted
 * @param terraform the version's own Terraform root module for the terraform provisioner, or {@code null}: the
 *                  service's {@code --terraform-module}; like parameters, it cannot change on a stored version
 */
public record TemplateDefinition(String name, String version, boolean deprecated, boolean deleted,
                                 List<PresetDefinition> presets, TerraformModule terraform) {

    public TemplateDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        presets = List.copyOf(presets);
    }

    /** A template without a module of its own. */
    public TemplateDefinition(String name, String version, boolean deprecated, boolean deleted,
                              List<PresetDefinition> presets) {
        this(name, version, deprecated, deleted, presets, null);
    }

    /** The identity of one of this version's presets. */
    public PresetId idOf(PresetDefinition preset) {
        return new PresetId(name, version, preset.name());
    }

    /** The module directory as written, or {@code null}. */
    public String terraformModule() {
        return terraform == null ? null : terraform.module();
    }

    /**
     * A template version's Terraform root module ({@code terraform: {module: DIR}}).
     *
     * @param module the directory as written: absolute, or relative to the working directory of the replica that
     *               runs the job (every replica must see the module at that path)
     * @param source where the block was read, for errors found later; empty when unknown
     */
    public record TerraformModule(String module, String source) {
        public TerraformModule {
            Objects.requireNonNull(module, "module");
            source = source == null ? "" : source;
        }
    }
}
