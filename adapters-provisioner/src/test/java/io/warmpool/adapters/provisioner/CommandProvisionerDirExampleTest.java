package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The scripts in examples/provisioners, run as documented through the real CommandProvisioner. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandProvisionerDirExampleTest {

    @TempDir
    Path root;

    private CommandProvisioner provisioner;

    @AfterEach
    void close() {
        if (provisioner != null) {
            provisioner.close();
        }
    }

    /** examples/provisioners, found from the module directory surefire runs in. */
    static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/provisioners");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/provisioners not found above " + Path.of("").toAbsolutePath());
    }

    private CommandProvisioner provisionerFor(Path script) {
        provisioner = new CommandProvisioner(CommandProvisionerConfig.of(
                List.of(script.toString(), "create", root.toString()), List.of(script.toString(), "delete", root.toString())));
        return provisioner;
    }

    private static ProvisionResult await(java.util.concurrent.CompletionStage<ProvisionResult> stage) {
        return stage.toCompletableFuture().orTimeout(100, TimeUnit.SECONDS).join();
    }

    @Test
    void dirProvisioner_createMakesTheWorkspaceDirectory_andDeleteRemovesIt() throws Exception {
        CommandProvisioner provisioner = provisionerFor(examples().resolve("dir-provisioner.sh"));
        ProvisionRequest create = Requests.withParameters(Requests.create("python-dev", "small", 1),
                Map.of("cpu", "2", "memory", "4Gi"));
        Path workspace = root.resolve(Requests.workspace(1).text());

        ProvisionResult created = await(provisioner.provision(create));

        assertThat(created).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> {
            assertThat(ok.outputs()).containsEntry("path", workspace.toString())
                    .containsEntry("url", "file://" + workspace);
            assertThat(ok.log()).contains("dir-provisioner: created");
        });
        assertThat(workspace.resolve("request.json")).content().contains("\"workspace_id\":\"" + Requests.workspace(1) + "\"");
        assertThat(workspace.resolve("workspace.txt")).content()
                .contains("preset: python-dev@v1/small").contains("WARMPOOL_PARAM_CPU=2").contains("WARMPOOL_PARAM_MEMORY=4Gi");

        ProvisionResult deleted = await(provisioner.provision(new ProvisionRequest(Transition.DELETE, create.workspace(),
                create.workspaceName(), create.owner(), create.preset(), create.parameters(),
                ((ProvisionResult.Succeeded) created).outputs(), 1)));

        assertThat(deleted).isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(workspace).doesNotExist();
        assertThat(await(provisioner.provision(Requests.delete("python-dev", "small", 1))))
                .as("deleting again is harmless").isInstanceOf(ProvisionResult.Succeeded.class);
    }

    @Test
    void dirProvisioner_checkIsReadyWhileTheDirectoryExists_andGoneOnceItIsDeletedBehindWarmpoolsBack()
            throws Exception {
        Path script = examples().resolve("dir-provisioner.sh");
        provisioner = new CommandProvisioner(CommandProvisionerConfig.of(
                        List.of(script.toString(), "create", root.toString()), List.of(script.toString(), "delete", root.toString()))
                .withCheckCommand(List.of(script.toString(), "check", root.toString())));
        await(provisioner.provision(Requests.create("python-dev", "small", 3)));

        assertThat(await(provisioner.provision(Requests.check("python-dev", "small", 3))))
                .isInstanceOfSatisfying(ProvisionResult.Checked.class, c -> assertThat(c.health()).isEqualTo(Health.READY));

        deleteRecursively(root.resolve(Requests.workspace(3).text()));

        assertThat(await(provisioner.provision(Requests.check("python-dev", "small", 3))))
                .isInstanceOfSatisfying(ProvisionResult.Checked.class, c -> assertThat(c.health()).isEqualTo(Health.GONE));
    }

    @Test
    void dirProvisioner_claimWritesTheNewOwnerNameAndParametersIntoTheWorkspace_andReturnsOutputs() throws Exception {
        Path script = examples().resolve("dir-provisioner.sh");
        provisioner = new CommandProvisioner(CommandProvisionerConfig.of(
                        List.of(script.toString(), "create", root.toString()), List.of(script.toString(), "delete", root.toString()))
                .withClaimCommand(List.of(script.toString(), "claim", root.toString())));
        await(provisioner.provision(Requests.create("python-dev", "small", 4)));
        Path workspace = root.resolve(Requests.workspace(4).text());

        ProvisionResult claimed = await(provisioner.provision(
                Requests.claim("python-dev", "small", 4, Map.of("dotfiles", "github.com/alice/dots"))));

        assertThat(claimed).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs())
                .containsOnly(Map.entry("owner", "alice"), Map.entry("name", "alice-ws")));
        assertThat(workspace.resolve("owner.txt")).content().contains("owner: alice").contains("name: alice-ws")
                .contains("WARMPOOL_PARAM_DOTFILES=github.com/alice/dots");
        assertThat(workspace.resolve("claim.json")).content().contains("\"transition\":\"claim\"")
                .contains("\"dotfiles\":\"github.com/alice/dots\"");

        deleteRecursively(workspace);
        assertThat(await(provisioner.provision(Requests.claim("python-dev", "small", 4, Map.of()))))
                .as("a gone workspace cannot be claimed")
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> assertThat(failed.error())
                        .contains("is gone; it cannot be claimed"));
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void dirProvisioner_anUnknownTransitionIsAPermanentError() {
        Path script = examples().resolve("dir-provisioner.sh");
        provisioner = new CommandProvisioner(CommandProvisionerConfig.of(
                List.of(script.toString(), "explode", root.toString()), List.of(script.toString(), "delete", root.toString())));

        assertThat(await(provisioner.provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isTrue();
                    assertThat(failed.error()).contains("unknown transition 'explode'");
                });
    }

    @Test
    void terraformProvisioner_appliesThenDestroys_whenTerraformIsInstalled() throws Exception {
        assumeTrue(onPath("terraform"), "terraform is not on PATH; the Terraform example is optional");
        CommandProvisioner provisioner = provisionerFor(examples().resolve("terraform/terraform-provisioner.sh"));
        Path workspace = root.resolve(Requests.workspace(2).text());

        ProvisionResult created = await(provisioner.provision(Requests.create("python-dev", "small", 2)));

        assertThat(created).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs())
                .containsEntry("url", "https://terraform.invalid/" + Requests.workspace(2)).containsKey("resource_id"));
        assertThat(workspace.resolve("terraform.tfstate")).exists();

        assertThat(await(provisioner.provision(Requests.delete("python-dev", "small", 2))))
                .isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(workspace).doesNotExist();
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }
}
