package io.warmpool.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tarball's launcher, distribution/src/bin/warmpool, in an install layout of its own (bin/, lib/) with a stand-in
 * {@code java}: a script that answers {@code -version} as a given runtime would and otherwise prints its process id
 * and arguments. What the real JVM does with them is TarballIT's part.
 */
class LauncherTest {

    private static final Path LAUNCHER = Repo.path("distribution/src/bin/warmpool");

    @TempDir
    Path tmp;
    Path home;
    Path elsewhere;

    @BeforeEach
    void install() throws IOException {
        home = tmp.resolve("opt/warmpool-1.0");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.copy(LAUNCHER, home.resolve("bin/warmpool"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(home.resolve("lib/warmpool.jar"), "not a jar: the stand-in java never opens it");
        elsewhere = Files.createDirectories(tmp.resolve("somewhere/else"));
    }

    /** A runtime under {@code dir}: bin/java answering {@code -version} with {@code version}, and a release file if given. */
    private Path runtime(String dir, String version, String releaseVersion) throws IOException {
        Path jre = tmp.resolve(dir);
        Files.createDirectories(jre.resolve("bin"));
        Path java = jre.resolve("bin/java");
        Files.writeString(java, """
                #!/usr/bin/env bash
                if [ "${1:-}" = -version ]; then echo 'openjdk version "%s" 2025-01-01' >&2; exit 0; fi
                echo "pid=$$"
                for a in "$@"; do echo "arg=$a"; done
                """.formatted(version));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (releaseVersion != null) {
            Files.writeString(jre.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + releaseVersion + "\"\n");
        }
        return jre;
    }

    private record Run(int exit, long pid, List<String> out, String err) {
        List<String> args() {
            return out.stream().filter(l -> l.startsWith("arg=")).map(l -> l.substring(4)).toList();
        }
    }

    private Run launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(elsewhere.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), p.pid(), out.lines().toList(), err);
    }

    @Test
    void javaHome_isUsed_andTheJvmReplacesTheLauncher_withJavaOptsAndTheArgumentsAsGiven() throws Exception {
        Path jdk = runtime("jdk-17", "17.0.15", "17.0.15");
        Files.writeString(elsewhere.resolve("-Dwarmpool.a=x"), "a file the option's * would match as a glob");
        Run r = launch(home.resolve("bin/warmpool"), Map.of("JAVA_HOME", jdk.toString(),
                "JAVA_OPTS", "-Xmx256m -Dwarmpool.a=*", "WARMPOOL_JAVA_OPTS", "-XX:+UseSerialGC"),
                "claim", "python-dev/small", "--owner", "alice smith");
        assertThat(r.exit).as(r.err).isZero();
        // exec: the process we started is the JVM, so a signal sent to it reaches the service.
        assertThat(r.out).contains("pid=" + r.pid);
        assertThat(r.args()).containsExactly("-Xmx256m", "-Dwarmpool.a=*", "-XX:+UseSerialGC", "-jar",
                home.resolve("lib/warmpool.jar").toRealPath().toString(), "claim", "python-dev/small", "--owner", "alice smith");
    }

    @Test
    void javaOnPath_isUsed_whenJavaHomeIsNotSet() throws Exception {
        Path jre = runtime("jre-21", "21", null);
        Run r = launch(home.resolve("bin/warmpool"), Map.of("PATH", jre.resolve("bin") + ":/usr/bin:/bin"), "--help");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.args()).endsWith("--help");
    }

    @ParameterizedTest(name = "java {0} (release file: {1}) is refused")
    @CsvSource(nullValues = "none", value = {
        "11.0.22, 11.0.22",
        "1.8.0_392, none",
        "16.0.2, none",
        "17.0.1, 11.0.2",     // the release file is read first: no JVM is started for the check
    })
    void anOlderJava_isRefused_sayingWhichAndWhatToDo(String version, String release) throws Exception {
        Path jdk = runtime("old", version, release);
        Run r = launch(home.resolve("bin/warmpool"), Map.of("JAVA_HOME", jdk.toString()), "run");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).noneMatch(l -> l.startsWith("pid="));
        assertThat(r.err).contains(jdk.resolve("bin/java").toString()).contains("needs a Java runtime >= 17")
                .contains("JAVA_HOME");
    }

    @ParameterizedTest(name = "java {0} is accepted")
    @CsvSource({"17", "17.0.15", "21.0.4", "25-ea", "25+36-LTS"})
    void java17AndLater_areAccepted(String version) throws Exception {
        Run r = launch(home.resolve("bin/warmpool"), Map.of("JAVA_HOME", runtime("ok", version, null).toString()), "status");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.args()).endsWith("status");
    }

    @Test
    void noJava_saysHowToGetOne() throws Exception {
        // A PATH with what the script itself uses (bash, coreutils, sed, grep), but no java.
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        for (String tool : List.of("bash", "env", "dirname", "readlink", "sed", "grep", "head")) {
            for (String dir : List.of("/usr/bin", "/bin")) {
                if (Files.isExecutable(Path.of(dir, tool)) && !Files.exists(tools.resolve(tool))) {
                    Files.createSymbolicLink(tools.resolve(tool), Path.of(dir, tool));
                }
            }
        }
        Run r = launch(home.resolve("bin/warmpool"), Map.of("PATH", tools.toString()), "--help");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("no Java runtime found").contains("JAVA_HOME");

        Run badHome = launch(home.resolve("bin/warmpool"), Map.of("JAVA_HOME", tmp.resolve("nothing").toString()), "--help");
        assertThat(badHome.exit).isEqualTo(1);
        assertThat(badHome.err).contains("JAVA_HOME is " + tmp.resolve("nothing"));
    }

    @Test
    void aSymlinkChain_toTheLauncher_findsTheJarNextToTheRealLauncher() throws Exception {
        Path jdk = runtime("jdk", "17.0.15", "17.0.15");
        // /usr/local/bin/warmpool -> ../../opt/warmpool (relative) -> /opt/warmpool-1.0/bin/warmpool (absolute)
        Path current = tmp.resolve("opt/warmpool");
        Files.createSymbolicLink(current, home);
        Path binDir = Files.createDirectories(tmp.resolve("usr/local/bin"));
        Path link = binDir.resolve("warmpool");
        Files.createSymbolicLink(link, Path.of("../../../opt/warmpool/bin/warmpool"));
        Run r = launch(link, Map.of("JAVA_HOME", jdk.toString()), "version");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.args()).contains("-jar", home.resolve("lib/warmpool.jar").toRealPath().toString());
    }

    @Test
    void aLauncherWithoutItsJar_saysSo() throws Exception {
        Files.delete(home.resolve("lib/warmpool.jar"));
        Run r = launch(home.resolve("bin/warmpool"), Map.of("JAVA_HOME", runtime("jdk", "17", "17").toString()), "run");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("lib/warmpool.jar is missing");
    }

    @Test
    void theLauncher_neverBuilds() {
        String script = Repo.read(LAUNCHER);
        assertThat(script).doesNotContain("mvn ").doesNotContain("mvnw").doesNotContain("bootstrap/target");
        assertThat(script).contains("exec \"$java\"");
    }

    @Test
    void theRealJava_ofThisBuild_isAccepted() throws Exception {
        // Its real release file (or -version): the parsing meets an actual runtime, not only the stand-in.
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Run r = launch(home.resolve("bin/warmpool"), env, "--version");
        // The stand-in jar is no jar: the real JVM refuses it after the launcher's checks passed.
        assertThat(r.err).doesNotContain("needs a Java runtime").contains("warmpool.jar");
        assertThat(r.exit).isNotZero();
    }
}
