package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.Transition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Configuration of the {@link CommandProvisioner}. A plain record so bootstrap can build it from YAML; the
 * constructor rejects bad values with an {@link IllegalArgumentException} naming the field as spelled in YAML.
 *
 * @param createCommand     argv of the create command: the executable, then its arguments, each passed to it
 *                          literally (no shell ever parses them)
 * @param deleteCommand     argv of the delete command
 * @param timeout           how long one invocation may run before its whole process tree is killed (a transient
 *                          failure)
 * @param killGracePeriod   after a timeout, how long the tree gets between SIGTERM and SIGKILL; also how long
 *                          stdout/stderr may stay open after the process exited (a background process holding them)
 * @param permanentExitCode the exit code that marks a failure permanent (R5); default {@value #DEFAULT_PERMANENT_EXIT_CODE}
 *                          ({@code EX_DATAERR} of sysexits.h: "the input data was incorrect")
 * @param maxConcurrent     how many invocations may run at once; further requests wait in arrival order
 * @param outputLimitBytes  how many of the last bytes of stdout and of stderr (each) are kept
 * @param workingDirectory  where the commands run; {@code null} for the service's working directory
 * @param environment       extra environment variables for the commands; names starting with {@code WARMPOOL_} are
 *                          reserved for the request
 * @param checkCommand      argv of the check command (R10, R11), or {@code null}: then the provisioner has no check
 *                          (no readiness or liveness by provisioner)
 * @param claimCommand      argv of the claim command (R12), or {@code null}: then a claim's handoff is a no-op
 */
public record CommandProvisionerConfig(List<String> createCommand, List<String> deleteCommand, Duration timeout,
                                       Duration killGracePeriod, int permanentExitCode, int maxConcurrent,
                                       int outputLimitBytes, Path workingDirectory, Map<String, String> environment,
                                       List<String> checkCommand, List<String> claimCommand) {

    /** sysexits.h {@code EX_DATAERR}. */
    public static final int DEFAULT_PERMANENT_EXIT_CODE = 65;
    /** 64 KiB of stdout and of stderr each. */
    public static final int DEFAULT_OUTPUT_LIMIT_BYTES = 64 * 1024;

    /** @throws IllegalArgumentException naming the field, when a value is missing or out of range */

    public CommandProvisionerConfig {
        createCommand = argv("create-command", createCommand);
        deleteCommand = argv("delete-command", deleteCommand);
        checkCommand = checkCommand == null ? null : argv("check-command", checkCommand);
        claimCommand = claimCommand == null ? null : argv("claim-command", claimCommand);
        requirePositive("timeout", timeout);
        requirePositive("kill-grace-period", killGracePeriod);
        if (permanentExitCode < 1 || permanentExitCode > 255) {
            throw new IllegalArgumentException("permanent-exit-code must be between 1 and 255, was " + permanentExitCode);
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max-concurrent must be at least 1, was " + maxConcurrent);
        }
        if (outputLimitBytes < 1024) {
            throw new IllegalArgumentException("output-limit-bytes must be at least 1024, was " + outputLimitBytes);
        }
        Objects.requireNonNull(environment, "environment must be given (may be empty)");
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment: '" + name + "' is not a valid variable name");
            }
            if (name.startsWith("WARMPOOL_")) {
                throw new IllegalArgumentException("environment: " + name + " is reserved (WARMPOOL_* carry the request)");
            }
            if (entry.getValue() == null || entry.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment: the value of " + name + " must be text without NUL");
            }
        }
        environment = Map.copyOf(new TreeMap<>(environment));
    }

    /** Without check and claim commands. */
    public CommandProvisionerConfig(List<String> createCommand, List<String> deleteCommand, Duration timeout,
                                    Duration killGracePeriod, int permanentExitCode, int maxConcurrent,
                                    int outputLimitBytes, Path workingDirectory, Map<String, String> environment) {
        this(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode, maxConcurrent, outputLimitBytes,
                workingDirectory, environment, null, null);
    }

    /**
     * The defaults for everything but the commands: 30 min timeout, 10 s grace, exit code 65 permanent, 4 at once,
     * 64 KiB of output each, the service's working directory, no extra environment.
     */
    public static CommandProvisionerConfig of(List<String> createCommand, List<String> deleteCommand) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, Duration.ofMinutes(30), Duration.ofSeconds(10),
                DEFAULT_PERMANENT_EXIT_CODE, 4, DEFAULT_OUTPUT_LIMIT_BYTES, null, Map.of());
    }

    /** The argv for {@code transition}, or {@code null} when none is configured (check, claim). */
    public List<String> command(Transition transition) {
        return switch (transition) {
            case CREATE -> createCommand;
            case DELETE -> deleteCommand;
            case CHECK -> checkCommand;
            case CLAIM -> claimCommand;
        };
    }

    /** A copy with a check command ({@code null}: none). */
    public CommandProvisionerConfig withCheckCommand(List<String> checkCommand) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    /** A copy with a claim command ({@code null}: none). */
    public CommandProvisionerConfig withClaimCommand(List<String> claimCommand) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    /** A copy with another timeout and kill grace period. */
    public CommandProvisionerConfig withTimeout(Duration timeout, Duration killGracePeriod) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    /** A copy with another bound on concurrent invocations. */
    public CommandProvisionerConfig withMaxConcurrent(int maxConcurrent) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    /** A copy keeping another number of bytes of stdout and of stderr. */
    public CommandProvisionerConfig withOutputLimitBytes(int outputLimitBytes) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    /** A copy with other extra environment variables. */
    public CommandProvisionerConfig withEnvironment(Map<String, String> environment) {
        return new CommandProvisionerConfig(createCommand, deleteCommand, timeout, killGracePeriod, permanentExitCode,
                maxConcurrent, outputLimitBytes, workingDirectory, environment, checkCommand, claimCommand);
    }

    private static List<String> argv(String field, List<String> argv) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException(field + " must name an executable and its arguments, as a list");
        }
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(field + "[" + i + "] must be text without NUL");
            }
        }
        if (argv.get(0).isBlank()) {
            throw new IllegalArgumentException(field + "[0] must name an executable");
        }
        return List.copyOf(argv);
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + value);
        }
    }
}
