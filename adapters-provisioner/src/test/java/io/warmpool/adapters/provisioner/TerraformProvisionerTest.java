package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the terraform provisioner decides without running Terraform: the declared variables and outputs, the
 * classification of Terraform's errors, undeclared parameters, a missing CLI. Real Terraform runs in bootstrap's
 * TerraformEndToEndTest and reliability's TerraformReplicasTest.
 */
class TerraformProvisionerTest {

    @TempDir
    Path dir;

    private TerraformProvisioner provisioner(String binary, String mainTf) throws Exception {
        Path module = Files.createDirectories(dir.resolve("module"));
        Files.writeString(module.resolve("main.tf"), mainTf);
        return new TerraformProvisioner(TerraformProvisionerConfig.of(binary, module, dir.resolve("work"),
                "warmpool_terraform", () -> "postgres://u:secret@127.0.0.1:1/db?sslmode=disable", 2));
    }

    private static ProvisionRequest create(Map<String, String> parameters) {
        return new ProvisionRequest(Transition.CREATE, new WorkspaceId(UUID.randomUUID()), "ws", "prebuilds",
                new PresetId("dev", "v1", "small"), parameters, Map.of(), 1);
    }

    @Test
    void variablesAndOutputsAreReadFromTheModulesFiles_andCheckIsSupportedOnlyWithReadyOrHealthy() throws Exception {
        try (TerraformProvisioner p = provisioner("terraform", """
                variable "workspace_id" { type = string }
                variable "cpu" {
                  type = number
                }
                  variable  "with-dash"  {}
                # variable "commented" {}
                output "url" { value = "x" }
                """)) {
            Files.writeString(dir.resolve("module/extra.tf.json"), "{\"variable\": {\"from_json\": {}}}");
            assertThat(p.declaredVariables()).containsExactlyInAnyOrder("workspace_id", "cpu", "with-dash");
            assertThat(p.supports(Transition.CHECK)).isFalse();
            assertThat(p.supports(Transition.CLAIM)).isTrue();
        }
        assertThat(TerraformProvisioner.declared(dir.resolve("module"),
                java.util.regex.Pattern.compile("(?m)^\\s*variable\\s+\"([A-Za-z_][A-Za-z0-9_-]*)\"\\s*\\{"), "variable"))
                .contains("from_json");
        try (TerraformProvisioner p = provisioner("terraform", "output \"ready\" { value = true }\n")) {
            assertThat(p.supports(Transition.CHECK)).isTrue();
        }
    }

    @Test
    void validationAndConfigurationErrorsArePermanent_providerAndLockErrorsTransient() {
        assertThat(TerraformProvisioner.permanent("""
                ╷
                │ Error: Invalid value for variable
                │
                │   on main.tf line 26:
                """)).isTrue();
        assertThat(TerraformProvisioner.permanent("Error: Value for undeclared variable\n")).isTrue();
        assertThat(TerraformProvisioner.permanent("Error: No value for required variable\n")).isTrue();
        assertThat(TerraformProvisioner.permanent("Error: Unsupported argument\n")).isTrue();
        assertThat(TerraformProvisioner.permanent("Error: local-exec provisioner error\n")).isFalse();
        assertThat(TerraformProvisioner.permanent("Error: Error acquiring the state lock\n")).isFalse();
        assertThat(TerraformProvisioner.permanent("Error: creating EC2 Instance: RequestLimitExceeded\n")).isFalse();
    }

    @Test
    void anUndeclaredParameterIsAPermanentFailureNamingIt_beforeAnyProcessRuns() throws Exception {
        try (TerraformProvisioner p = provisioner("/nonexistent/terraform", "variable \"cpu\" {}\n")) {
            ProvisionResult r = p.provision(create(Map.of("cpu", "2", "gpu", "1", "disk", "9"))).toCompletableFuture().join();
            assertThat(r).isInstanceOf(ProvisionResult.Failed.class);
            assertThat(((ProvisionResult.Failed) r).permanent()).isTrue();
            assertThat(((ProvisionResult.Failed) r).error()).contains("parameters disk, gpu");
            // with declared parameters init runs, and cannot start: a missing CLI says nothing about the preset (R3)
            r = p.provision(create(Map.of("cpu", "2"))).toCompletableFuture().join();
            assertThat(r).isInstanceOf(ProvisionResult.Unavailable.class);
            assertThat(((ProvisionResult.Unavailable) r).reason()).contains("/nonexistent/terraform")
                    .doesNotContain("secret");
        }
    }

    @Test
    void theConfigNeverPrintsTheBackendConnection() throws Exception {
        try (TerraformProvisioner p = provisioner("terraform", "variable \"cpu\" {}\n")) {
            assertThat(TerraformProvisionerConfig.of("terraform", dir, dir, "s", () -> "postgres://u:secret@h/db", 1)
                    .toString()).doesNotContain("secret");
        }
    }
}
