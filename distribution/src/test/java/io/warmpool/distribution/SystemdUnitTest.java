package io.warmpool.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/: the unit runs the tarball's launcher as a dedicated user with its state in StateDirectory, stops
 * with SIGTERM to the JVM alone within a timeout that fits the graceful stop, and is hardened; its environment file
 * names only real settings. {@code systemd-analyze verify} (and its offline security review) checks the unit when
 * present; without it those two tests are skipped loudly, unless {@code WARMPOOL_REQUIRE_SYSTEMD_ANALYZE} is set
 * (as .ci/run does), in which case they fail.
 */
class SystemdUnitTest {

    private static final Path UNIT = Repo.path("deploy/systemd/warmpool.service");
    private static final Path ENV_FILE = Repo.path("deploy/systemd/warmpool.env");
    private static final String INSTALLED_LAUNCHER = "/opt/warmpool/bin/warmpool";

    /** The unit's {@code [Service]} section: key to its values, in order (a key may repeat). */
    private static Map<String, List<String>> service() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String section = "";
        for (String line : Repo.read(UNIT).lines().toList()) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            if (t.startsWith("[")) {
                section = t;
            } else if (section.equals("[Service]")) {
                int eq = t.indexOf('=');
                keys.computeIfAbsent(t.substring(0, eq), k -> new ArrayList<>()).add(t.substring(eq + 1));
            }
        }
        return keys;
    }

    private static String one(String key) {
        List<String> values = service().get(key);
        assertThat(values).as("[Service] " + key).isNotNull().hasSize(1);
        return values.get(0);
    }

    private static List<String> execStart() {
        return Arrays.asList(one("ExecStart").split("\\s+"));
    }

    @Test
    void theUnit_runsTheLauncher_asADedicatedUser_withItsStateInStateDirectory() {
        List<String> exec = execStart();
        assertThat(exec.subList(0, 2)).containsExactly(INSTALLED_LAUNCHER, "run");
        Map<String, String> flags = Repo.runFlags(exec.subList(2, exec.size()), "ExecStart");
        assertThat(one("User")).isEqualTo("warmpool").isNotEqualTo("root");
        assertThat(service()).doesNotContainKey("DynamicUser");
        assertThat(flags.get("state-dir")).isEqualTo("/var/lib/" + one("StateDirectory"));
        assertThat(one("WorkingDirectory")).isEqualTo(flags.get("state-dir"));
        assertThat(one("EnvironmentFile")).isEqualTo("-/etc/warmpool/warmpool.env");
        assertThat(flags.get("config")).isEqualTo("/etc/warmpool/warmpool.yaml");
    }

    @Test
    void theUnit_stopsWithSigtermToTheJvm_withinATimeoutFittingTheGracefulStop() {
        assertThat(one("KillSignal")).isEqualTo("SIGTERM");
        // The JVM stops its embedded database and provisioner commands itself, after its workers.
        assertThat(one("KillMode")).isEqualTo("mixed");
        Duration timeout = Duration.ofSeconds(Long.parseLong(one("TimeoutStopSec").replace("s", "")));
        assertThat(timeout).isGreaterThanOrEqualTo(Settings.STOP_BOUND.multipliedBy(2).plusSeconds(10));
        assertThat(one("Restart")).isEqualTo("on-failure");
        assertThat(one("Type")).isEqualTo("exec");
    }

    @Test
    void theUnit_isHardened() {
        Map<String, String> expected = Map.of("NoNewPrivileges", "yes", "ProtectSystem", "strict", "ProtectHome", "yes",
                "PrivateTmp", "yes", "PrivateDevices", "yes", "RestrictSUIDSGID", "yes", "CapabilityBoundingSet", "",
                "UMask", "0077");
        expected.forEach((key, value) -> assertThat(one(key)).as(key).isEqualTo(value));
        // The JIT writes and then executes its code.
        assertThat(service()).doesNotContainKey("MemoryDenyWriteExecute");
    }

    @Test
    void theEnvironmentFile_namesOnlySettings_andTheirExampleValuesAreValid(@TempDir Path tmp) {
        Pattern assignment = Pattern.compile("^#?([A-Z][A-Z0-9_]*)=(.*)$");
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Repo.read(ENV_FILE).lines().toList()) {
            Matcher m = assignment.matcher(line.strip());
            if (m.matches()) {
                String name = m.group(1);
                if (!name.equals("JAVA_OPTS")) {
                    assertThat(Repo.settingOfVariable(name)).as(name + " in " + ENV_FILE + " is a setting").isPresent();
                    env.put(name, m.group(2));
                }
            }
        }
        assertThat(env).containsKeys(Setting.TOKEN.envName(), Setting.DB_URL.envName(), Setting.DB_PASSWORD.envName());
        // Files of the operator's, not there to be read here.
        env.remove(Setting.PRESETS.envName());
        env.remove(Setting.TLS_CERT.envName());
        env.remove(Setting.TLS_KEY.envName());
        List<String> exec = execStart();
        Map<String, String> flags = Repo.runFlags(exec.subList(2, exec.size()), "ExecStart");
        flags.put("state-dir", tmp.toString());
        assertThat(Repo.settings(flags, env, null).dbUrl()).isPresent();
    }

    @Test
    void systemdAnalyzeVerify_findsNothingToSay(@TempDir Path tmp) throws Exception {
        String analyze = requireSystemdAnalyze();
        Path unit = withLauncherOfThisTree(tmp.resolve("ok"));
        Result r = run(analyze, "verify", unit.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).as("systemd-analyze verify's findings").isBlank();

        // The check can fail: a directive systemd does not know and a signal it cannot parse are reported.
        Path planted = tmp.resolve("planted").resolve("warmpool.service");
        Files.createDirectories(planted.getParent());
        Files.writeString(planted, Repo.read(unit).replace("KillSignal=SIGTERM", "KillSignal=SIGBOGUS\nProtectEverything=yes"));
        Result bad = run(analyze, "verify", planted.toString());
        assertThat(bad.output).contains("SIGBOGUS").contains("ProtectEverything");
    }

    @Test
    void systemdAnalyzeSecurity_ratesTheUnitOk(@TempDir Path tmp) throws Exception {
        String analyze = requireSystemdAnalyze();
        Path unit = withLauncherOfThisTree(tmp);
        // Exposure 0.0 (safe) to 10.0 (unsafe); up to 2.0 is what systemd calls "OK".
        Result r = run(analyze, "security", "--offline=true", "--threshold=20", "--no-pager", unit.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("Overall exposure level for warmpool.service");
    }

    /** The unit with its launcher at this tree's (verify checks that ExecStart's program exists and is executable). */
    private static Path withLauncherOfThisTree(Path dir) throws IOException {
        Path launcher = Repo.path("distribution/src/bin/warmpool");
        assertThat(Files.isExecutable(launcher)).as(launcher + " is executable").isTrue();
        Files.createDirectories(dir);
        Path unit = dir.resolve("warmpool.service");
        String text = Repo.read(UNIT);
        assertThat(text).contains("ExecStart=" + INSTALLED_LAUNCHER + " ");
        Files.writeString(unit, text.replace("ExecStart=" + INSTALLED_LAUNCHER + " ", "ExecStart=" + launcher + " "));
        return unit;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private static String requireSystemdAnalyze() {
        Optional<Path> found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d.isEmpty() ? "." : d, "systemd-analyze")).filter(Files::isExecutable).findFirst();
        if (found.isPresent()) {
            return found.get().toString();
        }
        String why = "the systemd unit's check needs systemd-analyze (Debian package systemd) on PATH";
        if (System.getenv("WARMPOOL_REQUIRE_SYSTEMD_ANALYZE") != null) {
            Assertions.fail(why + "; WARMPOOL_REQUIRE_SYSTEMD_ANALYZE is set, so a missing systemd-analyze is a failure");
        }
        System.err.println("\n*** SKIPPED: " + why + " (set WARMPOOL_REQUIRE_SYSTEMD_ANALYZE to make this a failure) ***\n");
        Assumptions.abort(why + "; skipped (set WARMPOOL_REQUIRE_SYSTEMD_ANALYZE to make this a failure)");
        throw new IllegalStateException("unreachable");
    }
}
