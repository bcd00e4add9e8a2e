package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command provisioner against real bash scripts written into a temporary directory. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandProvisionerTest {

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

    private CommandProvisioner provisioner(CommandProvisionerConfig config) {
        CommandProvisioner provisioner = new CommandProvisioner(config);
        opened.add(provisioner);
        return provisioner;
    }

    private CommandProvisioner provisioner(Path script) {
        return provisioner(CommandProvisionerConfig.of(List.of(script.toString(), "create"), List.of(script.toString(), "delete")));
    }

    private static ProvisionResult await(java.util.concurrent.CompletionStage<ProvisionResult> stage) {
        return stage.toCompletableFuture().orTimeout(50, TimeUnit.SECONDS).join();
    }

    @Test
    void exitZeroWithAnOutputsObject_succeedsWithThoseOutputs_andTheRequestArrivesAsJsonOnStdin() throws Exception {
        Path script = script("ok.sh", """
                cat > stdin.json
                echo "provisioning $WARMPOOL_WORKSPACE_ID" >&2
                printf '{"outputs": {"url": "https://ws.example/%s", "cores": 4}}\\n' "$WARMPOOL_WORKSPACE_ID"
                """);

        ProvisionResult result = await(provisioner(script).provision(Requests.create("python-dev", "small", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> {
            assertThat(ok.outputs()).containsOnly(Map.entry("url", "https://ws.example/" + Requests.workspace(1)),
                    Map.entry("cores", "4"));
            assertThat(ok.log()).contains("provisioning " + Requests.workspace(1)).contains("exit code 0");
        });
        JsonNode stdin = JSON.readTree(dir.resolve("stdin.json").toFile());
        assertThat(stdin.get("transition").asText()).isEqualTo("create");
        assertThat(stdin.get("workspace_id").asText()).isEqualTo(Requests.workspace(1).text());
        assertThat(stdin.get("workspace_name").asText()).isEqualTo("prebuild-1");
        assertThat(stdin.get("owner").asText()).isEqualTo("prebuilds");
        assertThat(stdin.get("template").asText()).isEqualTo("python-dev");
        assertThat(stdin.get("template_version").asText()).isEqualTo("v1");
        assertThat(stdin.get("preset").asText()).isEqualTo("small");
        assertThat(stdin.get("parameters").get("cpu").asText()).isEqualTo("2");
        assertThat(stdin.get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void exitZeroWithNothingOnStdout_succeedsWithoutOutputs() throws Exception {
        Path script = script("quiet.sh", "exit 0");

        assertThat(await(provisioner(script).provision(Requests.delete("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs()).isEmpty());
    }

    @Test
    void exitZeroWithSomethingOtherThanJsonOnStdout_isATransientFailure() throws Exception {
        Path script = script("chatty.sh", "echo 'created it!'");

        assertThat(await(provisioner(script).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).contains("exited with code 0").contains("not valid JSON");
                    assertThat(failed.log()).contains("created it!");
                });
    }

    @Test
    void thePermanentExitCode_isAPermanentFailureWithTheTailOfStderr() throws Exception {
        Path script = script("invalid.sh", "echo 'starting' >&2; echo 'cpu must be at most 64' >&2; exit 65");

        assertThat(await(provisioner(script).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isTrue();
                    assertThat(failed.error()).startsWith("exited with code 65: ").endsWith("cpu must be at most 64");
                });
    }

    @Test
    void aConfiguredPermanentExitCode_replacesTheDefault() throws Exception {
        Path script = script("ten.sh", "exit \"$1\"");
        CommandProvisionerConfig base = CommandProvisionerConfig.of(List.of(script.toString(), "10"), List.of(script.toString(), "65"));
        CommandProvisioner provisioner = provisioner(new CommandProvisionerConfig(base.createCommand(), base.deleteCommand(),
                base.timeout(), base.killGracePeriod(), 10, 1, base.outputLimitBytes(), null, Map.of()));

        assertThat(await(provisioner.provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> assertThat(failed.permanent()).isTrue());
        assertThat(await(provisioner.provision(Requests.delete("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> assertThat(failed.permanent()).isFalse());
    }

    @Test
    void aPermanentMarkerOnStdout_isAPermanentFailureWithItsError() throws Exception {
        Path script = script("marker.sh", """
                echo 'some noise' >&2
                echo '{"permanent": true, "error": "template python-dev has no image"}'
                exit 1
                """);

        assertThat(await(provisioner(script).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isTrue();
                    assertThat(failed.error()).isEqualTo("exited with code 1: template python-dev has no image");
                });
    }

    @Test
    void anyOtherExit_isATransientFailureWithTheTailOfStderr() throws Exception {
        Path script = script("flaky.sh", "echo '{\"permanent\": false}'; echo 'quota exceeded, try later' >&2; exit 3");

        assertThat(await(provisioner(script).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).isEqualTo("exited with code 3: quota exceeded, try later");
                });
    }

    @Test
    void aTimeout_killsTheWholeProcessTreeAndIsATransientFailure() throws Exception {
        Path script = script("hang.sh", """
                echo $$ > parent.pid
                sleep 300 &
                echo $! > child.pid
                echo 'waiting for the cloud' >&2
                wait
                """);
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig
                .of(List.of(script.toString()), List.of(script.toString()))
                .withTimeout(Duration.ofMillis(700), Duration.ofSeconds(5)));

        ProvisionResult result = await(provisioner.provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isFalse();
            assertThat(failed.error()).contains("timed out after PT0.7S").contains("waiting for the cloud");
            assertThat(failed.log()).contains("killed after timeout");
        });
        long parent = Long.parseLong(Files.readString(dir.resolve("parent.pid")).strip());
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());
        assertThat(running(parent)).as("the script").isFalse();
        assertThat(running(child)).as("the sleep it started in the background").isFalse();
    }

    @Test
    void hugeOutput_isKeptBoundedToItsTail_withoutBlockingTheCommand() throws Exception {
        Path script = script("loud.sh", """
                for i in $(seq 1 40); do
                  head -c 100000 /dev/zero | tr '\\0' 'o'
                  head -c 100000 /dev/zero | tr '\\0' 'e' >&2
                done
                echo 'last words' >&2
                exit 4
                """);

        ProvisionResult result = await(provisioner(script).provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.error()).startsWith("exited with code 4: ").endsWith("last words")
                    .hasSizeLessThan(1100);
            assertThat(failed.log()).contains("4000000 bytes, last 65536 kept").contains("4000011 bytes, last 65536 kept")
                    .hasSizeLessThan(2 * 65536 + 1000);
        });
    }

    @Test
    void hugeStderrWithJsonOnStdout_stillSucceeds() throws Exception {
        Path script = script("verbose.sh", """
                head -c 5000000 /dev/zero | tr '\\0' 'x' >&2
                echo '{"url": "https://ws.example/1"}'
                """);

        assertThat(await(provisioner(script).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> {
                    assertThat(ok.outputs()).containsOnly(Map.entry("url", "https://ws.example/1"));
                    assertThat(ok.log()).contains("5000000 bytes, last 65536 kept").hasSizeLessThan(70_000);
                });
    }

    @Test
    void argumentsAndParametersWithShellSyntax_arePassedLiterally() throws Exception {
        Path script = script("echo.sh", """
                printf '%s\\0' "$@" > args.bin
                printf '%s' "$WARMPOOL_PARAM_WEIRD_VALUE" > param.bin
                cat > stdin.json
                """);
        List<String> tricky = List.of("two words", "it's \"quoted\"", "$(touch pwned)", "`touch pwned2`",
                "a; touch pwned3", "$HOME", "*", "back\\slash", "tab\there", "new\nline", "ünïcödé");
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(tricky);
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig.of(argv, argv));
        String weird = "x $(touch pwned4); echo \"hi\" 'there' `id` && rm -rf ~ | cat > /dev/null";

        ProvisionResult result = await(provisioner.provision(
                Requests.withParameters(Requests.create("t", "p", 1), Map.of("weird value", weird))));

        assertThat(result).isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(Files.readAllBytes(dir.resolve("args.bin"))).isEqualTo((String.join("\0", tricky) + "\0").getBytes(UTF_8));
        assertThat(Files.readAllBytes(dir.resolve("param.bin"))).isEqualTo(weird.getBytes(UTF_8));
        assertThat(JSON.readTree(dir.resolve("stdin.json").toFile()).get("parameters").get("weird value").asText())
                .isEqualTo(weird);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("pwned"));
        }
    }

    @Test
    void theRequestIsInWarmpoolEnvironmentVariables_andInheritedWarmpoolVariablesAreNot() throws Exception {
        Path script = script("env.sh", "env | grep -E '^(WARMPOOL_|EXTRA_)' | sort > env.txt");
        assertThat(System.getenv("WARMPOOL_INHERITED_SECRET")).as("set by surefire for this test").isNotNull();
        ProvisionRequest delete = new ProvisionRequest(io.warmpool.application.port.out.Transition.DELETE,
                Requests.workspace(7), "alice-ws", "alice", new io.warmpool.domain.PresetId("python-dev", "v3", "small"),
                new LinkedHashMap<>(Map.of("cpu", "2", "memory-size", "4Gi", "a.b", "1", "a_b", "2")),
                Map.of("url", "https://ws/7"), 3);
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig
                .of(List.of(script.toString()), List.of(script.toString()))
                .withEnvironment(Map.of("EXTRA_SETTING", "on")));

        ProvisionResult result = await(provisioner.provision(delete));

        assertThat(Files.readAllLines(dir.resolve("env.txt"))).containsExactly(
                "EXTRA_SETTING=on",
                "WARMPOOL_ATTEMPT=3",
                "WARMPOOL_OUTPUT_URL=https://ws/7",
                "WARMPOOL_OWNER=alice",
                "WARMPOOL_PARAM_CPU=2",
                "WARMPOOL_PARAM_MEMORY_SIZE=4Gi",
                "WARMPOOL_PRESET=small",
                "WARMPOOL_TEMPLATE=python-dev",
                "WARMPOOL_TEMPLATE_VERSION=v3",
                "WARMPOOL_TRANSITION=delete",
                "WARMPOOL_WORKSPACE_ID=" + Requests.workspace(7),
                "WARMPOOL_WORKSPACE_NAME=alice-ws");
        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.log())
                .contains("parameters 'a.b', 'a_b' all map to WARMPOOL_PARAM_A_B, which is therefore not set"));
    }

    @Test
    void noMoreThanTheConfiguredNumberOfCommandsRunAtOnce() throws Exception {
        mkfifo(dir.resolve("started"));
        mkfifo(dir.resolve("gate"));
        Path script = script("gated.sh", """
                echo "$WARMPOOL_WORKSPACE_ID" > started
                read -r _ < gate
                """);
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig
                .of(List.of(script.toString()), List.of(script.toString())).withMaxConcurrent(2));
        // Held open read-write by the test, so neither FIFO ever reports end-of-file and writes never block.
        try (RandomAccessFile started = new RandomAccessFile(dir.resolve("started").toFile(), "rw");
             RandomAccessFile gate = new RandomAccessFile(dir.resolve("gate").toFile(), "rw")) {
            List<CompletableFuture<ProvisionResult>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(provisioner.provision(Requests.create("t", "p", i)).toCompletableFuture());
            }
            Set<String> seen = new HashSet<>();
            seen.add(started.readLine());
            seen.add(started.readLine());
            assertThat(provisioner.runningCount()).isEqualTo(2);
            assertThat(provisioner.waitingCount()).as("blocked behind the bound").isEqualTo(3);

            for (int released = 1; released <= 3; released++) {
                gate.write('\n');
                seen.add(started.readLine());
                assertThat(provisioner.waitingCount()).isEqualTo(3 - released);
                assertThat(provisioner.runningCount()).isLessThanOrEqualTo(2);
            }
            gate.write("\n\n".getBytes(UTF_8));

            assertThat(results).allSatisfy(r -> assertThat(r.orTimeout(50, TimeUnit.SECONDS).join())
                    .isInstanceOf(ProvisionResult.Succeeded.class));
            assertThat(seen).hasSize(5);
        }
    }

    @Test
    void aMissingExecutable_meansTheProvisionerIsUnavailable_notThatThePresetFailed() {
        String missing = dir.resolve("no-such-provisioner").toString();
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig.of(List.of(missing), List.of(missing)));

        assertThat(await(provisioner.provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Unavailable.class, u -> assertThat(u.reason()).contains(missing));
    }

    @Test
    void closing_stopsRunningAndWaitingCommandsAsUnavailable() throws Exception {
        mkfifo(dir.resolve("started"));
        Path script = script("forever.sh", "sleep 300 & echo $! > child.pid; echo go > started; wait");
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig
                .of(List.of(script.toString()), List.of(script.toString())).withMaxConcurrent(1));
        try (RandomAccessFile started = new RandomAccessFile(dir.resolve("started").toFile(), "rw")) {
            var running = provisioner.provision(Requests.create("t", "p", 1)).toCompletableFuture();
            var waiting = provisioner.provision(Requests.create("t", "p", 2)).toCompletableFuture();
            started.readLine();

            provisioner.close();

            assertThat(await(running)).isInstanceOf(ProvisionResult.Unavailable.class);
            assertThat(await(waiting)).isInstanceOf(ProvisionResult.Unavailable.class);
            assertThat(await(provisioner.provision(Requests.create("t", "p", 3)))).isInstanceOf(ProvisionResult.Unavailable.class);
            assertThat(running(Long.parseLong(Files.readString(dir.resolve("child.pid")).strip()))).isFalse();
        }
    }

    @Test
    void configRejectsBadValuesNamingTheField() {
        List<String> ok = List.of("/bin/true");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(List.of(), ok)).hasMessageContaining("create-command");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(ok, List.of(" "))).hasMessageContaining("delete-command[0]");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(ok, ok).withTimeout(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(ok, ok).withMaxConcurrent(0)).hasMessageContaining("max-concurrent");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(ok, ok).withOutputLimitBytes(10)).hasMessageContaining("output-limit-bytes");
        assertThatThrownBy(() -> CommandProvisionerConfig.of(ok, ok).withEnvironment(Map.of("WARMPOOL_X", "1")))
                .hasMessageContaining("WARMPOOL_X is reserved");
        CommandProvisionerConfig base = CommandProvisionerConfig.of(ok, ok);
        assertThatThrownBy(() -> new CommandProvisionerConfig(ok, ok, base.timeout(), base.killGracePeriod(), 0, 1,
                base.outputLimitBytes(), null, Map.of())).hasMessageContaining("permanent-exit-code");
    }

    @Test
    void parameterNamesBecomeVariableSuffixes() {
        assertThat(CommandProvisioner.variableSuffix("memory-size")).isEqualTo("MEMORY_SIZE");
        assertThat(CommandProvisioner.variableSuffix("Disk.GB 2")).isEqualTo("DISK_GB_2");
        assertThat(CommandProvisioner.variableSuffix("größe")).isEqualTo("GR__E");
    }

    @Test
    void aClaim_neverWaitsBehindCreatesThatHoldEveryPermit() throws Exception {
        mkfifo(dir.resolve("gate"));
        Path slow = script("slow.sh", """
                read -r _ < gate
                """);
        Path claim = script("claim.sh", """
                cat > /dev/null
                echo '{"outputs": {"owner": "'"$WARMPOOL_OWNER"'"}}'
                """);
        CommandProvisioner provisioner = provisioner(CommandProvisionerConfig
                .of(List.of(slow.toString()), List.of(slow.toString())).withClaimCommand(List.of(claim.toString()))
                .withMaxConcurrent(1));
        try (RandomAccessFile gate = new RandomAccessFile(dir.resolve("gate").toFile(), "rw")) {
            CompletableFuture<ProvisionResult> create = provisioner.provision(Requests.create("t", "p", 1)).toCompletableFuture();
            CompletableFuture<ProvisionResult> queued = provisioner.provision(Requests.create("t", "p", 2)).toCompletableFuture();

            ProvisionResult claimed = provisioner.provision(Requests.claim("t", "p", 3, Map.of())).toCompletableFuture()
                    .orTimeout(50, TimeUnit.SECONDS).join();

            assertThat(claimed).isInstanceOf(ProvisionResult.Succeeded.class);
            assertThat(((ProvisionResult.Succeeded) claimed).outputs()).containsKey("owner");
            assertThat(create).as("the create still holds the one permit").isNotDone();
            assertThat(provisioner.waitingCount()).as("the second create still waits").isEqualTo(1);
            gate.write("\n\n".getBytes(UTF_8));
            assertThat(create.orTimeout(50, TimeUnit.SECONDS).join()).isInstanceOf(ProvisionResult.Succeeded.class);
            assertThat(queued.orTimeout(50, TimeUnit.SECONDS).join()).isInstanceOf(ProvisionResult.Succeeded.class);
        }
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor()).isZero();
    }

    /** Alive and not a zombie (a zombie has exited; it only waits for its parent to read its status). */
    static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text;
        try {
            text = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        char state = text.charAt(text.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }
}
