package io.warmpool.adapters.provisioner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Configuration of the {@link TerraformProvisioner}.
 *
 * @param binary           the Terraform CLI to run: {@code terraform} (found on PATH), a path, or OpenTofu's {@code tofu}
 * @param module           the default root module (a directory of {@code *.tf} files), for templates that name none of
 *                         their own; copied, per content, under {@code workDir}; {@code null} when every template
 *                         must name its own
 * @param workDir          the provisioner's own directory under the state dir: module copies, the generated CLI
 *                         configuration, the shared plugin cache
 * @param stateSchema      the PostgreSQL schema of the {@code pg} backend's states
 * @param backend          the {@code pg} backend's libpq connection string (it holds the database password: it only
 *                         ever reaches Terraform through the environment, {@code PG_CONN_STR}); asked when a command
 *                         first runs, since the database may start after the provisioner is built
 * @param timeout          time limit of one transition, every step included; then the process tree is killed
 * @param killGracePeriod  between SIGTERM and SIGKILL of a timed-out process tree
 * @param maxConcurrent    Terraform processes at once for creates, deletes and checks; claims have a lane of their own
 * @param outputLimitBytes the last bytes of stdout and of stderr kept per step, in the build's log
 * @param lockTimeout      how long a step waits for the state lock another process holds ({@code -lock-timeout})
 */
public record TerraformProvisionerConfig(String binary, Path module, Path workDir, String stateSchema,
                                         Supplier<String> backend, Duration timeout, Duration killGracePeriod,
                                         int maxConcurrent, int outputLimitBytes, Duration lockTimeout) {

    public TerraformProvisionerConfig {
        if (binary == null || binary.isBlank() || binary.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("terraform-binary must name an executable");
        }
        Objects.requireNonNull(workDir, "workDir");
        if (stateSchema == null || !stateSchema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("terraform-state-schema must be a lower-case SQL identifier"
                    + " (letters, digits, _), was '" + stateSchema + "'");
        }
        Objects.requireNonNull(backend, "backend");
        requirePositive("terraform-timeout", timeout);
        requirePositive("kill grace period", killGracePeriod);
        requirePositive("lock timeout", lockTimeout);
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max-concurrent must be at least 1, was " + maxConcurrent);
        }
        if (outputLimitBytes < 1024) {
            throw new IllegalArgumentException("output-limit-bytes must be at least 1024, was " + outputLimitBytes);
        }
    }

    /** 30 min per transition, 10 s grace, 64 KiB of output each, 60 s for a lock. */
    public static TerraformProvisionerConfig of(String binary, Path module, Path workDir, String stateSchema,
                                                Supplier<String> backend, int maxConcurrent) {
        return new TerraformProvisionerConfig(binary, module, workDir, stateSchema, backend, Duration.ofMinutes(30),
                Duration.ofSeconds(10), maxConcurrent, CommandProvisionerConfig.DEFAULT_OUTPUT_LIMIT_BYTES,
                Duration.ofSeconds(60));
    }

    public TerraformProvisionerConfig withTimeout(Duration timeout) {
        return new TerraformProvisionerConfig(binary, module, workDir, stateSchema, backend, timeout, killGracePeriod,
                maxConcurrent, outputLimitBytes, lockTimeout);
    }

    public TerraformProvisionerConfig withLockTimeout(Duration lockTimeout) {
        return new TerraformProvisionerConfig(binary, module, workDir, stateSchema, backend, timeout, killGracePeriod,
                maxConcurrent, outputLimitBytes, lockTimeout);
    }

    /** Never prints the backend connection string. */
    @Override
    public String toString() {
        return "TerraformProvisionerConfig[binary=" + binary + ", module=" + module + ", workDir=" + workDir
                + ", stateSchema=" + stateSchema + ", timeout=" + timeout + ", maxConcurrent=" + maxConcurrent + "]";
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + value);
        }
    }
}
