package io.warmpool.adapters.provisioner;

import io.warmpool.domain.PresetId;
import java.util.Optional;

/**
 * Where a preset's template version keeps its own Terraform root module ({@code terraform: {module: DIR}} in the
 * presets file), as written there. Asked for every request of the {@link TerraformProvisioner}; a version's module
 * never changes once stored, so an implementation may remember answers. May throw when the answer cannot be read
 * (the database is down): the request then completes as unavailable.
 */
@FunctionalInterface
public interface TerraformModules {

    /** No template names a module: every workspace uses the default one. */
    TerraformModules NONE = preset -> Optional.empty();

    Optional<String> moduleOf(PresetId preset);
}
