package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The command provisioner's check and claim transitions (R10–R12), against real bash scripts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandProvisionerTransitionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<CommandProvisioner> opened = new ArrayList<>();

    @AfterEach
    void closeProvisioners() {
        opened.forEach(CommandProvisioner::close);
    }

    private Path script(String name, String body) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, "#!/usr/bin/env bash\nset -u\ncd \"$(dirname \"$0\")\"\n" + body + "\n", UTF_8);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    /** Create and delete by {@code true}, check and claim by {@code script} (when given). */
    private CommandProvisioner provisioner(Path check, Path claim) {
        CommandProvisionerConfig config = CommandProvisionerConfig.of(List.of("true"), List.of("true"))
                .withCheckCommand(check == null ? null : List.of(check.toString(), "check"))
                .withClaimCommand(claim == null ? null : List.of(claim.toString(), "claim"));
        CommandProvisioner provisioner = new CommandProvisioner(config);
        opened.add(provisioner);
        return provisioner;
    }

    private static ProvisionResult await(CompletionStage<ProvisionResult> stage) {
        return stage.toCompletableFuture().orTimeout(50, TimeUnit.SECONDS).join();
    }

    @ParameterizedTest
    @EnumSource(Health.class)
    void aCheckAnswersTheStatusItPrinted(Health health) throws Exception {
        Path check = script("check.sh", "echo '{\"status\": \"" + health.wire() + "\"}'");

        ProvisionResult result = await(provisioner(check, null).provision(Requests.check("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Checked.class, checked -> {
            assertThat(checked.health()).isEqualTo(health);
            assertThat(checked.permanent()).isFalse();
            assertThat(checked.log()).contains("exit code 0");
        });
    }

    @Test
    void aCheckSeesTheWorkspaceAndItsCreateOutputs_withTheTransitionNamed() throws Exception {
        Path check = script("check.sh", """
                cat > stdin.json
                echo "$WARMPOOL_TRANSITION $WARMPOOL_OUTPUT_URL" > env.txt
                echo '{"status": "ready"}'
                """);

        await(provisioner(check, null).provision(Requests.check("t", "p", 4)));

        JsonNode stdin = JSON.readTree(dir.resolve("stdin.json").toFile());
        assertThat(stdin.get("transition").asText()).isEqualTo("check");
        assertThat(stdin.get("workspace_id").asText()).isEqualTo(Requests.workspace(4).text());
        assertThat(stdin.get("outputs").get("url").asText()).isEqualTo("https://x.invalid/4");
        assertThat(Files.readString(dir.resolve("env.txt"))).isEqualTo("check https://x.invalid/4\n");
    }

    @Test
    void aFailedCheckMayBePermanent_andCarriesItsError() throws Exception {
        Path check = script("check.sh", "echo '{\"status\": \"failed\", \"permanent\": true, \"error\": \"image missing\"}'");

        assertThat(await(provisioner(check, null).provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Checked.class, checked -> {
                    assertThat(checked.health()).isEqualTo(Health.FAILED);
                    assertThat(checked.permanent()).isTrue();
                    assertThat(checked.detail()).isEqualTo("image missing");
                });
    }

    @Test
    void permanentCountsOnlyWithFailed() throws Exception {
        Path check = script("check.sh", "echo '{\"status\": \"unhealthy\", \"permanent\": true, \"error\": \"disk full\"}'");

        assertThat(await(provisioner(check, null).provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Checked.class, checked -> {
                    assertThat(checked.health()).isEqualTo(Health.UNHEALTHY);
                    assertThat(checked.permanent()).isFalse();
                    assertThat(checked.detail()).isEqualTo("disk full");
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                               | stdout is empty",
            "ready                            | not valid JSON",
            "'[\"ready\"]'                    | not a JSON object",
            "'{\"state\": \"ready\"}'         | without \"status\"",
            "'{\"status\": 1}'                | \"status\" is 1, not a string",
            "'{\"status\": \"READY\"}'        | \"status\" is \"READY\", not one of \"ready\" | \"starting\"",
            "'{\"status\": \"ok\"}'           | \"status\" is \"ok\", not one of",
    })
    void aCheckThatPrintsSomethingElse_isATransientFailureNamingWhatWasWrong(String stdout, String expected)
            throws Exception {
        Files.writeString(dir.resolve("answer.txt"), stdout, UTF_8);
        Path check = script("check.sh", "cat answer.txt");

        assertThat(await(provisioner(check, null).provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).startsWith("check exited with code 0 but its stdout is ")
                            .contains(expected)
                            .endsWith("it must be one JSON object {\"status\": \"ready\" | \"starting\" | \"unhealthy\""
                                    + " | \"gone\" | \"failed\"}");
                });
    }

    @Test
    void aCheckThatExitsNonZero_isAFailureLikeAnyCommand() throws Exception {
        Path check = script("check.sh", "echo 'cannot reach the hypervisor' >&2; exit 3");

        assertThat(await(provisioner(check, null).provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).isEqualTo("exited with code 3: cannot reach the hypervisor");
                });
    }

    @Test
    void aClaimSeesTheNewOwnerNameAndTheClaimsParameters_andItsOutputsComeBack() throws Exception {
        Path claim = script("claim.sh", """
                cat > stdin.json
                echo "$WARMPOOL_TRANSITION $WARMPOOL_OWNER $WARMPOOL_WORKSPACE_NAME $WARMPOOL_PARAM_DOTFILES" > env.txt
                printf '{"outputs": {"url": "https://ws.example/alice", "owner": "%s"}}\\n' "$WARMPOOL_OWNER"
                """);

        ProvisionResult result = await(provisioner(null, claim)
                .provision(Requests.claim("t", "p", 2, Map.of("dotfiles", "github.com/alice/dots"))));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs())
                .containsOnly(Map.entry("url", "https://ws.example/alice"), Map.entry("owner", "alice")));
        JsonNode stdin = JSON.readTree(dir.resolve("stdin.json").toFile());
        assertThat(stdin.get("transition").asText()).isEqualTo("claim");
        assertThat(stdin.get("owner").asText()).isEqualTo("alice");
        assertThat(stdin.get("workspace_name").asText()).isEqualTo("alice-ws");
        assertThat(stdin.get("parameters").get("dotfiles").asText()).isEqualTo("github.com/alice/dots");
        assertThat(stdin.get("outputs").get("url").asText()).as("the create's outputs").isEqualTo("https://x.invalid/2");
        assertThat(Files.readString(dir.resolve("env.txt"))).isEqualTo("claim alice alice-ws github.com/alice/dots\n");
    }

    @Test
    void aFailingClaim_isAFailureWithItsError() throws Exception {
        Path claim = script("claim.sh", "echo '{\"error\": \"quota exceeded for alice\"}'; exit 1");

        assertThat(await(provisioner(null, claim).provision(Requests.claim("t", "p", 1, Map.of()))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).isEqualTo("exited with code 1: quota exceeded for alice");
                });
    }

    @Test
    void aClaimThatOutlivesTheTimeout_isKilledAndFails() throws Exception {
        Path claim = script("claim.sh", "sleep 30");
        CommandProvisioner provisioner = new CommandProvisioner(CommandProvisionerConfig.of(List.of("true"), List.of("true"))
                .withClaimCommand(List.of(claim.toString()))
                .withTimeout(java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(300)));
        opened.add(provisioner);

        assertThat(await(provisioner.provision(Requests.claim("t", "p", 1, Map.of()))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed ->
                        assertThat(failed.error()).startsWith("timed out after PT0.3S"));
    }

    @Test
    void withoutCheckAndClaimCommands_checkIsUnsupported_andAClaimIsANoOpSuccess_withoutRunningAnything()
            throws Exception {
        Path marker = dir.resolve("ran");
        Path touch = script("touch.sh", "touch ran");
        CommandProvisioner provisioner = new CommandProvisioner(CommandProvisionerConfig.of(
                List.of(touch.toString()), List.of(touch.toString())));
        opened.add(provisioner);

        assertThat(provisioner.supports(Transition.CREATE)).isTrue();
        assertThat(provisioner.supports(Transition.DELETE)).isTrue();
        assertThat(provisioner.supports(Transition.CHECK)).isFalse();
        assertThat(provisioner.supports(Transition.CLAIM)).isFalse();
        assertThat(await(provisioner.provision(Requests.claim("t", "p", 1, Map.of("a", "b")))))
                .isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> {
                    assertThat(ok.outputs()).isEmpty();
                    assertThat(ok.log()).contains("--command-claim");
                });
        assertThat(await(provisioner.provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isTrue();
                    assertThat(failed.error()).contains("no check command (--command-check)");
                });
        assertThat(marker).as("neither started a process").doesNotExist();
    }

    @Test
    void withCheckAndClaimCommands_bothAreSupported() throws Exception {
        Path script = script("any.sh", "exit 0");

        CommandProvisioner provisioner = provisioner(script, script);

        assertThat(provisioner.supports(Transition.CHECK)).isTrue();
        assertThat(provisioner.supports(Transition.CLAIM)).isTrue();
    }

    @Test
    void badCheckOrClaimCommandsNameTheField() {
        CommandProvisionerConfig base = CommandProvisionerConfig.of(List.of("true"), List.of("true"));
        assertThatThrownBy(() -> base.withCheckCommand(List.of())).hasMessageContaining("check-command");
        assertThatThrownBy(() -> base.withClaimCommand(List.of(" "))).hasMessageContaining("claim-command[0]");
    }
}
