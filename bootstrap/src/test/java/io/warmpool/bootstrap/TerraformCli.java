package io.warmpool.bootstrap;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Terraform CLI for the terraform provisioner's tests ({@code WARMPOOL_TERRAFORM}, else {@code terraform}
 * on PATH). When it is missing the tests are skipped with a loud message, unless {@code WARMPOOL_REQUIRE_TERRAFORM}
 * is set (CI sets it), in which case they fail.
 */
public final class TerraformCli {

    private TerraformCli() {
    }

    /** The binary's path; skips or fails the calling test without one. */
    public static String require() {
        String given = System.getenv("WARMPOOL_TERRAFORM");
        if (given != null && Files.isExecutable(Path.of(given))) {
            return given;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "terraform");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String why = "the terraform provisioner's tests need the Terraform CLI (>= 1.4) on PATH or in WARMPOOL_TERRAFORM";
        if (System.getenv("WARMPOOL_REQUIRE_TERRAFORM") != null) {
            Assertions.fail(why + "; WARMPOOL_REQUIRE_TERRAFORM is set, so a missing terraform is a failure");
        }
        System.err.println("\n*** SKIPPED: " + why + " (set WARMPOOL_REQUIRE_TERRAFORM to make this a failure) ***\n");
        Assumptions.abort(why + "; skipped (set WARMPOOL_REQUIRE_TERRAFORM to make this a failure)");
        throw new IllegalStateException("unreachable");
    }

    /** {@code examples/terraform}, found above the working directory. */
    public static Path example() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("examples/terraform/main.tf");
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent();
            }
        }
        throw new IllegalStateException("examples/terraform not found above " + Path.of("").toAbsolutePath());
    }
}
