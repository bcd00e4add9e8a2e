package io.warmpool.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's {@code promtool} (Debian's {@code prometheus} package), for the checks of the metrics exposition and of
 * {@code deploy/prometheus}. When it is missing the tests are skipped with a loud message, unless
 * {@code WARMPOOL_REQUIRE_PROMTOOL} is set (to anything but {@code 0}; {@code .ci/run} sets it), in which case they
 * fail.
 */
final class Promtool {

    private Promtool() {
    }

    /** What one run printed, and how it exited. */
    record Run(int exitCode, String output) {
    }

    /** The binary's path; skips or fails the calling test without one. */
    static String require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String why = "the Prometheus checks need promtool on PATH (Debian: apt-get install prometheus)";
        String required = System.getenv("WARMPOOL_REQUIRE_PROMTOOL");
        if (required != null && !required.isEmpty() && !required.equals("0")) {
            Assertions.fail(why + "; WARMPOOL_REQUIRE_PROMTOOL is set, so a missing promtool is a failure");
        }
        System.err.println("\n*** SKIPPED: " + why + " (set WARMPOOL_REQUIRE_PROMTOOL=1 to make this a failure) ***\n");
        Assumptions.abort(why + "; skipped (set WARMPOOL_REQUIRE_PROMTOOL=1 to make this a failure)");
        throw new IllegalStateException("unreachable");
    }

    /** Runs {@code promtool args…} in {@code dir}, {@code stdin} as its input (or none), within a minute. */
    static Run run(Path dir, byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            Assertions.fail("promtool " + String.join(" ", args) + " did not finish within a minute");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The repository's {@code deploy/} directory, found above the working directory. */
    static Path deploy() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("deploy/prometheus/alerts.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent().getParent();
            }
        }
        throw new IllegalStateException("deploy/prometheus/alerts.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
