package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Bad input, CLI (SPEC §5 exit codes, §7): for every subcommand, a table of bad arguments — unknown options and
 * commands, missing and extra parameters, malformed presets, names, ids, durations, numbers, choices and paths —
 * each exits 2 with a message naming the problem and the usage on stderr, prints nothing on stdout, and needs no
 * running service (client commands point at a closed port: reaching for it would exit 1 instead).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliBadArgumentsTest {

    /** A port nothing listens on (the discard port); a client command that got this far would fail with 1. */
    static final String NO_SERVER = "http://127.0.0.1:9";

    @TempDir
    static Path dir;

    static Path badScenario;
    static Path goodPresets;
    static Path badConfig;
    static Path nulPathConfig;
    static Path deepScenario;
    static Path deepConfig;
    static Path binaryFile;
    static Path hugeFile;

    @BeforeAll
    static void files() throws IOException {
        badScenario = dir.resolve("scenario.yaml");
        Files.writeString(badScenario, "start: yesterday\nclaims: {python-dev/small: {per_hour: -1}}\n");
        goodPresets = dir.resolve("presets.yaml");
        Files.writeString(goodPresets, "templates: [{name: t, version: v1, presets: [{name: p}]}]\n");
        badConfig = dir.resolve("warmpool.yaml");
        Files.writeString(badConfig, "reconcile-interval: soon\nno-such-setting: 1\n");
        nulPathConfig = dir.resolve("nul.yaml");
        Files.writeString(nulPathConfig, "presets: \"a\\0b.yaml\"\n");
        deepScenario = dir.resolve("deep-scenario.yaml");
        Files.writeString(deepScenario, "start: 2026-03-02T00:00:00Z\nclaims: " + "[".repeat(100_000));
        deepConfig = dir.resolve("deep-config.yaml");
        Files.writeString(deepConfig, "workers: " + "{a: ".repeat(100_000));
        binaryFile = dir.resolve("binary.yaml");
        Files.write(binaryFile, new byte[] {'a', ':', (byte) 0xFF, (byte) 0xFE, '\n'});
        // Sparse: 17 MiB that cost no disk and, when refused by their size, no reading either.
        hugeFile = dir.resolve("huge.yaml");
        try (var f = new java.io.RandomAccessFile(hugeFile.toFile(), "rw")) {
            f.setLength(17L * 1024 * 1024);
        }
    }

    static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    static Arguments row(String expected, String... args) {
        return Arguments.of(String.join(" ", args), expected, args);
    }

    /** Client options that keep a client command away from any service. */
    static String[] client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", NO_SERVER, "--state-dir", dir.resolve("no-state").toString()));
        return all.toArray(String[]::new);
    }

    static Stream<Arguments> badArguments() {
        String state = dir.resolve("state").toString();
        return Stream.of(
                // warmpool
                row("missing command"),
                row("Unknown option: '--nope'", "--nope"),
                row("Unmatched argument at index 0: 'nope'", "nope"),
                row("Unknown subcommand 'nope'", "help", "nope"),
                // run: picocli's own checks, then every setting's value (nothing may start)
                row("Unknown option: '--nope'", "run", "--nope"),
                row("Unmatched argument", "run", "extra"),
                row("Missing required parameter for option '--workers'", "run", "--workers"),
                row("--reconcile-interval: 'abc' is not a duration", "run", "--state-dir", state, "--reconcile-interval", "abc"),
                row("--reconcile-interval: must be more than 0", "run", "--state-dir", state, "--reconcile-interval", "0"),
                row("--reconcile-interval: must be at most 3650d", "run", "--state-dir", state, "--reconcile-interval", "99999999999999d"),
                row("--job-heartbeat-timeout: must be at most 3650d", "run", "--state-dir", state, "--job-heartbeat-timeout", "3651d"),
                row("--workers: must be a whole number", "run", "--state-dir", state, "--workers", "many"),
                row("--workers: must be between 1 and 256", "run", "--state-dir", state, "--workers", "0"),
                row("--failure-hard-limit: must be between 0 and 1000000", "run", "--state-dir", state, "--failure-hard-limit", "-1"),
                row("--events-retention: must be 0 (keep events forever) or at least 1h, got 59m", "run", "--state-dir", state, "--events-retention", "59m"),
                row("--events-retention: 'a month' is not a duration", "run", "--state-dir", state, "--events-retention", "a month"),
                row("--events-retention: must be at most 3650d", "run", "--state-dir", state, "--events-retention", "3651d"),
                row("--max-pending-jobs: must be a whole number", "run", "--state-dir", state, "--max-pending-jobs", "99999999999999999999"),
                row("--http-addr: must be host:port", "run", "--state-dir", state, "--http-addr", "nowhere"),
                row("--http-addr: port must be 0 to 65535", "run", "--state-dir", state, "--http-addr", "127.0.0.1:70000"),
                row("--http-header-timeout: must be more than 0", "run", "--state-dir", state, "--http-header-timeout", "0s"),
                row("--http-body-timeout: 'soon' is not a duration", "run", "--state-dir", state, "--http-body-timeout", "soon"),
                row("--http-idle-timeout: must be more than 0", "run", "--state-dir", state, "--http-idle-timeout", "0"),
                row("--http-max-connections: must be between 16 and 1000000", "run", "--state-dir", state, "--http-max-connections", "1"),
                row("--http-max-unauthenticated: must be a whole number", "run", "--state-dir", state, "--http-max-unauthenticated", "lots"),
                row("--allowed-hosts: 'evil/path' is not a host name", "run", "--state-dir", state, "--allowed-hosts", "ok.example,evil/path"),
                row("--provisioner: must be one of simulated, command, http", "run", "--state-dir", state, "--provisioner", "ftp"),
                row("--backoff-policy: must be one of linear, exponential", "run", "--state-dir", state, "--backoff-policy", "random"),
                row("--backoff-multiplier: must be a decimal number", "run", "--state-dir", state, "--backoff-multiplier", "two"),
                row("--seed: must be a whole number", "run", "--state-dir", state, "--seed", "0x10"),
                row("--command-create (default): is required with --provisioner command", "run", "--state-dir", state, "--provisioner", "command"),
                row("argv, never a shell string", "run", "--state-dir", state, "--provisioner", "command",
                        "--command-create", "./create.sh --all; rm -rf /", "--command-delete", "[\"./delete.sh\"]"),
                row("--http-provisioner-url (default): is required with --provisioner http", "run", "--state-dir", state, "--provisioner", "http"),
                row("--terraform-module: must be a directory holding a Terraform root module", "run", "--state-dir", state,
                        "--provisioner", "terraform", "--terraform-module", state + "/nope"),
                row("--terraform-state-schema: must be a lower-case SQL identifier", "run", "--state-dir", state,
                        "--provisioner", "terraform", "--terraform-module", dir.toString(), "--terraform-state-schema", "Bad-Schema"),
                row("unknown setting 'no-such-setting'", "run", "--state-dir", state, "--config", badConfig.toString()),
                row("nested too deeply", "run", "--state-dir", state, "--config", deepConfig.toString()),
                row("--command-create: must be a list", "run", "--state-dir", state, "--provisioner", "command",
                        "--command-create", "[".repeat(100_000), "--command-delete", "[\"./delete.sh\"]"),
                row("presets: is not a valid path", "run", "--state-dir", state, "--config", nulPathConfig.toString()),
                row("--presets: /dev/zero is not a text file (a NUL byte at byte 1)", "run", "--state-dir", state,
                        "--presets", "/dev/zero"),
                row("--presets: " + hugeFile + " is larger than the limit of 16 MiB", "run", "--state-dir", state,
                        "--presets", hugeFile.toString()),
                row("--presets: " + dir.resolve("missing.yaml") + " cannot be read: no such file", "run", "--state-dir", state,
                        "--presets", dir.resolve("missing.yaml").toString()),
                row(binaryFile + " is not a text file (invalid UTF-8 at byte 3)", "run", "--state-dir", state,
                        "--config", binaryFile.toString()),
                row(binaryFile + " is not a text file (invalid UTF-8 at byte 3)", "run", "--state-dir", state, "--simulated-config", binaryFile.toString()),
                row("--token-file: " + dir.resolve("missing") + " cannot be read: no such file", "run", "--state-dir", state,
                        "--token-file", dir.resolve("missing").toString()),
                row("--token and --token-file are both set", "run", "--state-dir", state, "--token", "t0k3n-value",
                        "--token-file", goodPresets.toString()),
                row("--db-password-file: " + binaryFile + " is not a text file", "run", "--state-dir", state,
                        "--db-password-file", binaryFile.toString()),
                row("--http-provisioner-secret-file: " + dir + " cannot be read: is a directory", "run", "--state-dir", state,
                        "--provisioner", "http", "--http-provisioner-url", "http://127.0.0.1:9/", "--http-provisioner-secret-file",
                        dir.toString()),
                // presets
                row("say what to do", "presets"),
                row("Unmatched argument", "presets", "nope"),
                row("Missing required parameter: 'FILE'", client("presets", "apply")),
                row("cannot read", client("presets", "apply", dir.resolve("missing.yaml").toString())),
                row("/dev/zero is not a text file (a NUL byte at byte 1)", client("presets", "apply", "/dev/zero")),
                row(binaryFile + " is not a text file (invalid UTF-8 at byte 3)", client("presets", "apply", binaryFile.toString())),
                row(hugeFile + " is larger than the limit of 16 MiB (16777216 bytes)", client("presets", "apply", hugeFile.toString())),
                row("--token-file: " + dir.resolve("missing") + " cannot be read: no such file",
                        client("status", "--token-file", dir.resolve("missing").toString())),
                row("Unknown option: '--nope'", client("presets", "apply", goodPresets.toString(), "--nope")),
                row("Missing required parameter: 'PRESET'", client("presets", "resume")),
                row("must be given as template/preset", client("presets", "resume", "no-slash")),
                row("must be given as template/preset", client("presets", "invalidate", "a/b/c")),
                row("template 'Python-Dev' must match", client("presets", "invalidate", "Python-Dev/small")),
                row("preset '$(touch' must match", client("presets", "resume", "x/$(touch")),
                // status and plan
                row("Unmatched argument", client("status", "extra")),
                row("Invalid value for option '--output'", client("status", "--output", "xml")),
                row("Missing required parameter for option '--output'", "status", "--output"),
                row("--server: 'not a url' is not a URL", "status", "--server", "not a url"),
                row("Unknown option: '--nope'", client("plan", "--nope")),
                row("Invalid value for option '--output'", client("plan", "-o", "yaml")),
                // claim
                row("Missing required parameter: 'PRESET'", client("claim")),
                row("must be given as template/preset", client("claim", "no-slash")),
                row("owner 'Bad Owner' must match", client("claim", "python-dev/small", "--owner", "Bad Owner")),
                row("owner ''; drop table workspaces; --' must match",
                        client("claim", "python-dev/small", "--owner", "'; drop table workspaces; --")),
                row("owner 'prebuilds' is reserved", client("claim", "python-dev/small", "--owner", "prebuilds")),
                row("name must be at most 63 characters", client("claim", "python-dev/small", "--owner", "alice",
                        "--name", "n".repeat(64))),
                row("name '$(id)' must match", client("claim", "python-dev/small", "--owner", "alice", "--name", "$(id)")),
                row("Missing required parameter for option '--owner'", "claim", "python-dev/small", "--owner"),
                row("Unmatched argument", client("claim", "python-dev/small", "extra")),
                // release
                row("Missing required parameter: 'WORKSPACE'", client("release")),
                row("workspace id 'not-a-uuid' is not a UUID", client("release", "not-a-uuid")),
                row("Unmatched argument", client("release", "00000000-0000-0000-0000-000000000001", "extra")),
                // pause and resume
                row("Unmatched argument", client("pause", "now")),
                row("Unknown option: '--force'", client("resume", "--force")),
                // dashboard
                row("Unmatched argument", client("dashboard", "extra")),
                row("--server: 'not a url' is not a URL", "dashboard", "--server", "not a url"),
                // version and completion
                row("Unmatched argument", client("version", "extra")),
                row("Invalid value for option '--output'", client("version", "--output", "yaml")),
                row("--server: 'not a url' is not a URL", "version", "--server", "not a url"),
                row("Missing required parameter: 'SHELL'", "completion"),
                row("Invalid value for positional parameter at index 0 (SHELL)", "completion", "fish"),
                row("Unmatched argument", "completion", "bash", "zsh"),
                // simulate
                row("Missing required options: '--presets=FILE', '--scenario=FILE'", "simulate"),
                row("--duration: 'a day' is not a duration", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", badScenario.toString(), "--duration", "a day"),
                row("--duration must be more than 0 and at most 366d", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", badScenario.toString(), "--duration", "400d"),
                row("--output must be table or json", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", badScenario.toString(), "--output", "xml"),
                row("Invalid value for option '--seed'", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", badScenario.toString(), "--seed", "x"),
                row("cannot be read", "simulate", "--presets", dir.resolve("missing.yaml").toString(),
                        "--scenario", badScenario.toString()),
                row("/dev/zero is not a text file (a NUL byte at byte 1)", "simulate", "--presets", "/dev/zero",
                        "--scenario", badScenario.toString()),
                row(binaryFile + " is not a text file", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", binaryFile.toString()),
                row(hugeFile + " is larger than the limit of 1 MiB", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", hugeFile.toString()),
                row("nested too deeply", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", deepScenario.toString()),
                row("start must be an ISO-8601 instant", "simulate", "--presets", goodPresets.toString(),
                        "--scenario", badScenario.toString()));
    }

    @ParameterizedTest(name = "warmpool {0}")
    @MethodSource("badArguments")
    void badArgumentsExit2_withTheProblemAndTheUsageOnStderr_andNothingOnStdout(String shown, String expected, String[] args) {
        CliRun run = cli(args);

        assertThat(run.exit()).as("exit of 'warmpool %s'; stderr: %s", shown, run.err()).isEqualTo(2);
        assertThat(run.err()).as("stderr").contains(expected).contains("Usage: warmpool");
        assertThat(run.out()).as("stdout").isEmpty();
        assertThat(run.err()).as("no stack trace").doesNotContain("Exception", "\tat ");
    }

    /**
     * The same bad arguments with {@code --output json} added: still exit 2 and nothing on stdout, and stderr is one
     * line, the usage problem as JSON (also when picocli refused the arguments before reaching {@code --output}, or
     * the command has no such option).
     */
    @ParameterizedTest(name = "warmpool {0} --output json")
    @MethodSource("badArguments")
    void badArgumentsWithOutputJson_exit2_withOneJsonUsageProblemOnStderr(String shown, String expected, String[] args)
            throws IOException {
        List<String> json = new ArrayList<>(List.of(args));
        json.addAll(List.of("--output", "json"));
        CliRun run = cli(json.toArray(String[]::new));

        assertThat(run.exit()).as("exit of 'warmpool %s --output json'; stderr: %s", shown, run.err()).isEqualTo(2);
        assertThat(run.out()).as("stdout").isEmpty();
        assertThat(run.err().strip().lines()).as("stderr: %s", run.err()).hasSize(1);
        var problem = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.err());
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:usage");
        assertThat(problem.get("title").asText()).isEqualTo("Bad usage");
        assertThat(problem.get("detail").asText()).isNotBlank().isEqualTo(problem.get("error").asText());
        assertThat(problem.has("status")).isFalse();
    }

    @Test
    void everyCommandsHelp_listsItsExitCodes() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        for (CommandLine command : all) {
            String name = command.getCommandSpec().qualifiedName();
            String[] args = (name.equals("warmpool") ? "--help" : name.substring("warmpool ".length()) + " --help").split(" ");
            if (name.equals("warmpool help")) {
                continue; // picocli's help command has no --help of its own
            }
            CliRun help = cli(args);
            assertThat(help.exit()).as(name).isZero();
            assertThat(help.out()).as(name).contains("Exit codes:", "  0 ", "  2 ");
            boolean client = command.getCommandSpec().findOption("--server") != null;
            if (client) {
                assertThat(help.out()).as(name).contains("  4   ");
            }
        }
        assertThat(cli("--help").out()).contains("0   ok", "1   failure", "2   bad usage", "3   nothing available",
                "4   the service cannot be reached");
        assertThat(all).hasSizeGreaterThan(15);
    }

    static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void presetsApplyDevZero_isRefusedAtOnce_notAnOutOfMemoryErrorLater() {
        // Before the bounded reader: 13 s of reading, then an OutOfMemoryError stack trace.
        CliRun run = cli(client("presets", "apply", "/dev/zero"));

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("/dev/zero is not a text file (a NUL byte at byte 1)").doesNotContain("Error");
    }

    @Test
    void aSecretGivenAsAFlag_isWarnedAboutOnOneLine_withoutItsValue() {
        CliRun run = cli("run", "--state-dir", dir.resolve("state").toString(), "--token", "flag-t0ken-value",
                "--db-password", "flag-passw0rd", "--http-provisioner-secret", "flag-hmac-key", "--workers", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains(
                "warning: --token on the command line is visible to every user of this machine (ps); use --token-file FILE or WARMPOOL_TOKEN instead\n",
                "warning: --db-password on the command line is visible to every user of this machine (ps); use --db-password-file FILE or WARMPOOL_DB_PASSWORD instead\n",
                "warning: --http-provisioner-secret on the command line is visible to every user of this machine (ps); use --http-provisioner-secret-file FILE or WARMPOOL_HTTP_PROVISIONER_SECRET instead\n");
        assertThat(run.err()).doesNotContain("flag-t0ken-value", "flag-passw0rd", "flag-hmac-key");
    }

    @Test
    void everySubcommandHasRowsInTheTable() {
        List<String> covered = badArguments().map(a -> ((String[]) a.get()[2])).filter(a -> a.length > 0)
                .map(a -> a[0]).distinct().toList();
        List<String> subcommands = new CommandLine(new Main()).getSubcommands().keySet().stream().toList();

        assertThat(covered).containsAll(subcommands);
    }

    @Test
    void aServiceThatCannotBeReached_isExitCode4_forEveryClientCommand() {
        // SPEC §5: 4 = the service cannot be reached (nothing listens on port 9, the discard port).
        for (String[] args : List.of(new String[]{"status"}, new String[]{"claim", "python-dev/small", "--owner", "a"},
                new String[]{"pause"})) {
            CliRun run = cli(client(args));
            assertThat(run.exit()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(4);
            assertThat(run.err()).contains("cannot reach the warmpool service at " + NO_SERVER);
        }
    }

    @Test
    void helpAndVersion_areNotErrors() {
        assertThat(cli("--help").exit()).isZero();
        assertThat(cli("--version").exit()).isZero();
        assertThat(cli("claim", "--help").exit()).isZero();
        assertThat(cli("claim", "--help").out()).contains("Exit codes:", "3   nothing available");
    }
}
