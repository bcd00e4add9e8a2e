package io.warmpool.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The release tarball as a user meets it, after {@code package}: unpacked with {@code tar}, its launcher run from
 * an unrelated directory with only a Java runtime on PATH (no Maven, no source tree), the service started on the
 * embedded database with the tarball's example presets (given by path, as the README says for a start outside the
 * unpacked directory), its probes answered, and SIGTERM stopping it with exit 0.
 * Everything it wrote stays under distribution/target/tarball-it/ (the service's output in run.out / run.err).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TarballIT {

    private static final String VERSION = System.getProperty("warmpool.version");
    private static final Path TARBALL = Path.of(System.getProperty("warmpool.tarball"));
    private static final Path WORK = TARBALL.getParent().resolve("tarball-it");
    private static final String TOKEN = "tarball-it-token-0123456789abcdef0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path home;
    private static Path elsewhere;
    private static Process service;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(TARBALL).as("the tarball `package` made").isRegularFile();
        deleteRecursively(WORK);
        Path unpacked = Files.createDirectories(WORK.resolve("unpacked"));
        elsewhere = Files.createDirectories(WORK.resolve("elsewhere"));
        Result tar = run(unpacked, Map.of(), "tar", "-xzf", TARBALL.toString());
        assertThat(tar.exit).as(tar.err).isZero();
        home = unpacked.resolve("warmpool-" + VERSION);
    }

    @AfterAll
    static void stopIfStillRunning() {
        if (service != null && service.isAlive()) {
            service.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void theTarball_holdsOneTopDirectory_withTheLauncherTheJarTheExamplesAndDeploy() throws Exception {
        try (Stream<Path> top = Files.list(home.getParent())) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("warmpool-" + VERSION);
        }
        assertThat(Files.isExecutable(home.resolve("bin/warmpool"))).as("bin/warmpool is executable").isTrue();
        assertThat(home.resolve("lib/warmpool.jar")).isRegularFile();
        assertThat(home.resolve("examples/presets.yaml")).isRegularFile();
        assertThat(Files.isExecutable(home.resolve("examples/provisioners/dir-provisioner.sh")))
                .as("the example provisioner scripts keep their mode").isTrue();
        assertThat(home.resolve("deploy/systemd/warmpool.service")).isRegularFile();
        assertThat(home.resolve("deploy/kubernetes/deployment.yaml")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        // The README's links to documentation, examples and deploy/ work in the unpacked tarball (same paths).
        java.util.regex.Matcher links = java.util.regex.Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)")
                .matcher(Files.readString(home.resolve("README.md")));
        while (links.find()) {
            String target = links.group(1);
            boolean shipped = target.startsWith("docs/") || target.startsWith("examples/") || target.startsWith("deploy/")
                    || (target.endsWith(".md") && !target.startsWith("../"));
            if (shipped && Files.exists(Repo.path(target))) {
                assertThat(home.resolve(target)).as("README link " + target).exists();
            }
        }
        // Everything of deploy/ is shipped, whatever it holds.
        try (Stream<Path> source = Files.walk(Repo.path("deploy"))) {
            for (Path f : source.filter(Files::isRegularFile).toList()) {
                assertThat(home.resolve("deploy").resolve(Repo.path("deploy").relativize(f))).isRegularFile();
            }
        }
        // What the Dockerfile copies from its build context (the unpacked tarball) is there.
        for (String[] i : DockerfileTest.instructions()) {
            if (i[0].equals("COPY")) {
                List<String> parts = new ArrayList<>(List.of(i[1].split("\\s+")));
                parts.removeIf(p -> p.startsWith("--"));
                for (String source : parts.subList(0, parts.size() - 1)) {
                    assertThat(home.resolve(source)).as("COPY " + source).exists();
                }
            }
        }
    }

    @Test
    @Order(2)
    void help_runsFromAnotherDirectory_andThroughASymlink_withOnlyAJavaRuntime() throws Exception {
        Result direct = run(elsewhere, javaOnPath(), home.resolve("bin/warmpool").toString(), "--help");
        assertThat(direct.exit).as(direct.err).isZero();
        assertThat(direct.out).contains("run").contains("status");
        // The jar in the tarball is this build's.
        Result version = run(elsewhere, javaOnPath(), home.resolve("bin/warmpool").toString(), "version", "--client");
        assertThat(version.exit).as(version.err).isZero();
        assertThat(version.out).contains("warmpool " + VERSION + " (revision ");

        Path links = Files.createDirectories(WORK.resolve("usr-local-bin"));
        Path link = links.resolve("warmpool");
        Files.createSymbolicLink(link, home.resolve("bin/warmpool"));
        Result viaLink = run(elsewhere, javaOnPath(), link.toString(), "run", "--help");
        assertThat(viaLink.exit).as(viaLink.err).isZero();
        assertThat(viaLink.out).contains("--presets").contains("--state-dir");
    }

    @Test
    @Order(3)
    void run_fromAnotherDirectory_servesProbesAndTheExamplePresets_andStopsOnSigtermWithExitZero() throws Exception {
        int port = freePort();
        Path state = WORK.resolve("state");
        Map<String, String> env = javaOnPath();
        env.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        env.put("WARMPOOL_TOKEN", TOKEN);
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/warmpool").toString(), "run",
                "--state-dir", state.toString(), "--http-addr", "127.0.0.1:" + port,
                "--presets", home.resolve("examples/presets.yaml").toString(),
                // The demo's 3-8 s creates (the built-in default is 30 s, which the stop would wait for).
                "--simulated-config", home.resolve("examples/simulated-provisioner.yaml").toString())
                .directory(elsewhere.toFile())
                .redirectOutput(WORK.resolve("run.out").toFile())
                .redirectError(WORK.resolve("run.err").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        service = pb.start();
        String base = "http://127.0.0.1:" + port;

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    assertThat(service.isAlive()).as("the service is running (see %s)", WORK.resolve("run.err")).isTrue();
                    assertThat(status(base + "/healthz")).isEqualTo(200);
                });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(status(base + "/readyz")).isEqualTo(200));
        // The presets given by absolute path were applied, whatever the working directory.
        HttpResponse<String> presets = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(presets.statusCode()).isEqualTo(200);
        assertThat(presets.body()).contains("python-dev");
        // The state directory is where it was told, not under the working directory.
        assertThat(state).isDirectory();
        try (Stream<Path> left = Files.list(elsewhere)) {
            assertThat(left).as("nothing written to the working directory").isEmpty();
        }

        // SIGTERM to the process started: the launcher exec'd the JVM, so it is the JVM that stops cleanly.
        service.destroy();
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        assertThat(service.exitValue()).as(Files.readString(WORK.resolve("run.err"))).isZero();
        assertThat(state.resolve("pgdata/postmaster.pid")).as("the embedded PostgreSQL was stopped too").doesNotExist();
    }

    /** The environment of a user with a Java runtime on PATH and nothing of the build: no JAVA_HOME, no WARMPOOL_*. */
    private static Map<String, String> javaOnPath() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        env.put("HOME", WORK.toString());
        env.put("LANG", "C.UTF-8");
        return env;
    }

    private static int status(String url) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile(WORK.getParent(), "out", ".txt");
        Path err = Files.createTempFile(WORK.getParent(), "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
