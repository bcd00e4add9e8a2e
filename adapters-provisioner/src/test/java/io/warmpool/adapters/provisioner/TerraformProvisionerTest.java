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

    /**
     * A stand-in for the CLI: records its argv and environment, answers {@code output -json} with one plain and one
     * sensitive output, and sleeps in {@code apply} while {@code hang} exists.
     */
    private Path fakeTerraform() throws Exception {
        Path script = dir.resolve("fake-terraform");
        Files.writeString(script, """
                #!/bin/sh
                d="$(dirname "$0")"
                echo "$*" >> "$d/argv.txt"
                env >> "$d/env.txt"
                case "$*" in
                  *" apply "*) if [ -e "$d/hang" ]; then sleep 30 & echo $! > "$d/child.pid"; wait; fi ;;
                  *" output -json"*) echo '{"url":{"sensitive":false,"value":"https://x"},"n":{"sensitive":false,"value":3},"key":{"sensitive":true,"value":"s3cret-output"}}' ;;
                esac
                exit 0
                """);
        script.toFile().setExecutable(true);
        return script;
    }

    @Test
    void aCreateRunsInitWorkspaceApplyOutput_theConnectionAndVariablesOnlyInTheEnvironment_sensitiveOutputsDropped()
            throws Exception {
        Path fake = fakeTerraform();
        try (TerraformProvisioner p = provisioner(fake.toString(), """
                variable "workspace_id" {}
                variable "owner" {}
                variable "cpu" {}
                """)) {
            ProvisionRequest request = create(Map.of("cpu", "4"));
            ProvisionResult r = p.provision(request).toCompletableFuture().join();

            assertThat(r).isInstanceOf(ProvisionResult.Succeeded.class);
            ProvisionResult.Succeeded ok = (ProvisionResult.Succeeded) r;
            assertThat(ok.outputs()).containsEntry("url", "https://x").containsEntry("n", "3")
                    .containsEntry("terraform_variables", "{\"cpu\":\"4\"}").doesNotContainKey("key");
            assertThat(ok.log()).contains("terraform init", "terraform workspace new", "terraform apply")
                    .doesNotContain("s3cret-output").doesNotContain("secret@");
            String argv = Files.readString(dir.resolve("argv.txt"));
            assertThat(argv).contains("init -input=false", "workspace new -no-color", request.workspace().text(),
                    "apply -auto-approve -input=false").doesNotContain("secret").doesNotContain("TF_VAR");
            String env = Files.readString(dir.resolve("env.txt"));
            assertThat(env).contains("PG_CONN_STR=postgres://u:secret@127.0.0.1:1/db?sslmode=disable",
                    "PG_SCHEMA_NAME=warmpool_terraform", "TF_IN_AUTOMATION=1", "TF_INPUT=0", "TF_VAR_cpu=4",
                    "TF_VAR_owner=prebuilds", "TF_VAR_workspace_id=" + request.workspace().text(),
                    "TF_WORKSPACE=" + request.workspace().text(), "TF_CLI_CONFIG_FILE=")
                    .doesNotContain("WARMPOOL_");
            assertThat(Files.readString(dir.resolve("work/terraformrc"))).contains("plugin_cache_dir");
        }
    }

    @Test
    void aTemplatesOwnModule_isAppliedForItsPresets_theDefaultForOthers_andAMissingOneIsPermanent() throws Exception {
        Path fake = fakeTerraform();
        Path own = Files.createDirectories(dir.resolve("modules/ops"));
        Files.writeString(own.resolve("main.tf"), "variable \"region\" {}\noutput \"ready\" { value = true }\n");
        Path defaultModule = Files.createDirectories(dir.resolve("module"));
        Files.writeString(defaultModule.resolve("main.tf"), "variable \"cpu\" {}\n");
        PresetId ops = new PresetId("ops", "v2", "east");
        PresetId lost = new PresetId("lost", "v1", "x");
        TerraformModules modules = preset -> preset.equals(ops) ? java.util.Optional.of(own.toString())
                : preset.equals(lost) ? java.util.Optional.of(dir.resolve("nowhere").toString()) : java.util.Optional.empty();
        var config = TerraformProvisionerConfig.of(fake.toString(), defaultModule, dir.resolve("work"), "warmpool_terraform",
                () -> "postgres://u:secret@127.0.0.1:1/db?sslmode=disable", 2);
        try (TerraformProvisioner p = new TerraformProvisioner(config, modules)) {
            ProvisionResult opsCreate = p.provision(new ProvisionRequest(Transition.CREATE, new WorkspaceId(UUID.randomUUID()),
                    "ws", "prebuilds", ops, Map.of("region", "eu"), Map.of(), 1)).toCompletableFuture().join();
            assertThat(opsCreate).isInstanceOf(ProvisionResult.Succeeded.class);
            ProvisionResult devCreate = p.provision(create(Map.of("cpu", "2"))).toCompletableFuture().join();
            assertThat(devCreate).isInstanceOf(ProvisionResult.Succeeded.class);
            // each module has its own initialized copy; each ran its own init
            try (var copies = Files.list(dir.resolve("work/modules"))) {
                assertThat(copies.filter(Files::isDirectory).toList()).hasSize(2);
            }
            assertThat(Files.readAllLines(dir.resolve("argv.txt")).stream().filter(l -> l.contains(" init ")).count())
                    .isEqualTo(2);
            // a parameter the template's module does not declare is named, though the default module declares it
            ProvisionResult wrong = p.provision(new ProvisionRequest(Transition.CREATE, new WorkspaceId(UUID.randomUUID()),
                    "ws", "prebuilds", ops, Map.of("cpu", "2"), Map.of(), 1)).toCompletableFuture().join();
            assertThat(((ProvisionResult.Failed) wrong).error()).contains(own.toString(), "parameter cpu");
            assertThat(((ProvisionResult.Failed) wrong).permanent()).isTrue();
            // checks: the template's module declares 'ready', the default one does not
            assertThat(p.supports(Transition.CHECK)).isFalse();
            ProvisionResult missing = p.provision(new ProvisionRequest(Transition.CREATE, new WorkspaceId(UUID.randomUUID()),
                    "ws", "prebuilds", lost, Map.of(), Map.of(), 1)).toCompletableFuture().join();
            assertThat(missing).isInstanceOf(ProvisionResult.Failed.class);
            assertThat(((ProvisionResult.Failed) missing).permanent()).isTrue();
            assertThat(((ProvisionResult.Failed) missing).error()).contains("nowhere", "template lost version v1",
                    "is not a directory");
        }
        var noDefault = TerraformProvisionerConfig.of(fake.toString(), null, dir.resolve("work2"), "warmpool_terraform",
                () -> "postgres://u:secret@127.0.0.1:1/db?sslmode=disable", 2);
        try (TerraformProvisioner p = new TerraformProvisioner(noDefault, modules)) {
            assertThat(p.supports(Transition.CHECK)).as("a template's module may answer checks").isTrue();
            ProvisionResult none = p.provision(create(Map.of())).toCompletableFuture().join();
            assertThat(((ProvisionResult.Failed) none).permanent()).isTrue();
            assertThat(((ProvisionResult.Failed) none).error()).contains("template dev version v1 names no terraform module",
                    "--terraform-module");
            ProvisionResult check = p.provision(ProvisionRequest.check("c-1", new WorkspaceId(UUID.randomUUID()), "ws",
                    "prebuilds", ops, Map.of("region", "eu"), Map.of())).toCompletableFuture().join();
            assertThat(check).isInstanceOf(ProvisionResult.Checked.class);
        }
    }

    @Test
    void theBackendsWorkspaceCreationLockHeldElsewhere_isAskedForAgain_notAFailedCreate() throws Exception {
        // The pg backend lets one workspace be created at a time and answers a concurrent `workspace new` at once with
        // "Already locked for workspace creation" (seen with the example presets: one create of three failed so).
        Path fake = dir.resolve("locked-terraform");
        Files.writeString(dir.resolve("busy"), "2");
        Files.writeString(fake, """
                #!/bin/sh
                d="$(dirname "$0")"
                echo "$*" >> "$d/argv.txt"
                case "$*" in
                  *"workspace new"*)
                    n="$(cat "$d/busy")"
                    if [ "$n" -gt 0 ]; then
                      echo $((n - 1)) > "$d/busy"
                      echo "Error: failed to lock state in Postgres: Already locked for workspace creation: ws" >&2
                      exit 1
                    fi ;;
                  *" output -json"*) echo '{}' ;;
                esac
                exit 0
                """);
        fake.toFile().setExecutable(true);
        try (TerraformProvisioner p = provisioner(fake.toString(), "variable \"workspace_id\" {}\n")) {
            ProvisionResult r = p.provision(create(Map.of())).toCompletableFuture().join();

            assertThat(r).as("%s", r).isInstanceOf(ProvisionResult.Succeeded.class);
            assertThat(Files.readAllLines(dir.resolve("argv.txt")).stream().filter(l -> l.contains("workspace new")))
                    .as("asked three times: two refusals, then the lock").hasSize(3);
        }
    }

    @Test
    void aTransitionPastItsTimeout_killsTheProcessTree_andIsATransientFailure() throws Exception {
        Path fake = fakeTerraform();
        Files.writeString(dir.resolve("hang"), "");
        Path module = Files.createDirectories(dir.resolve("module"));
        Files.writeString(module.resolve("main.tf"), "variable \"workspace_id\" {}\n");
        try (TerraformProvisioner p = new TerraformProvisioner(TerraformProvisionerConfig.of(fake.toString(), module,
                dir.resolve("work"), "warmpool_terraform", () -> "postgres://x", 1).withTimeout(java.time.Duration.ofSeconds(2)))) {
            long began = System.nanoTime();
            ProvisionResult r = p.provision(create(Map.of())).toCompletableFuture().join();

            assertThat(r).isInstanceOf(ProvisionResult.Failed.class);
            assertThat(((ProvisionResult.Failed) r).permanent()).isFalse();
            assertThat(((ProvisionResult.Failed) r).error()).contains("timed out", "process tree killed");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - began)).isLessThan(java.time.Duration.ofSeconds(20));
            long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).trim());
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the tree is killed").isFalse();
        }
    }
}
