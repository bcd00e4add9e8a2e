package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, secrets: given by files and by the environment, the API token, the database password and the http
 * provisioner's HMAC key appear in no process's command line — neither the service's JVM nor any other process
 * on the machine, including the embedded PostgreSQL's postmaster and backends that the service started — which is
 * what every user sees with {@code ps -eo args} (any user can read {@code /proc/PID/cmdline}; only the process's
 * own user can read {@code /proc/PID/environ}). A secret given as a flag is in that list, and the service says so
 * on stderr (the control run: it proves the scan finds a secret when there is one).
 */
class SecretsNotInProcessListTest {

    static final String DB_PASSWORD = "db-passw0rd-4f1c9a7e2b";
    static final String HMAC_KEY = "hmac-k3y-0123456789abcdef0123456789";

    @Test
    void givenSecretsByFileAndEnvironment_noneIsInAnyCommandLine_andNoWarningIsPrinted() throws Exception {
        Path dir = Logs.dir("SecretsNotInProcessListTest-files");
        Path tokenFile = secretFile(dir.resolve("token"), ServiceProcess.TOKEN);
        Path hmacFile = secretFile(dir.resolve("hmac-key"), HMAC_KEY);
        try (ServiceProcess service = ServiceProcess.builder("secrets-by-file", dir)
                .setting("presets", presets(dir).toString())
                .setting("provisioner", "http")
                // Nothing listens there: creates fail and back off, which is all this test needs of a provisioner.
                .setting("http-provisioner-url", "http://127.0.0.1:9/")
                .setting("http-provisioner-secret-file", hmacFile.toString())
                .env("WARMPOOL_TOKEN", "") // the builder's default; blank is unset, so only the file gives the token
                .env("WARMPOOL_TOKEN_FILE", tokenFile.toString())
                .env("WARMPOOL_DB_PASSWORD", DB_PASSWORD)
                .start()) {
            service.awaitReady(Duration.ofSeconds(90));
            // The token from the file is the one the API takes (ServiceProcess authenticates with TOKEN).
            assertThat(service.get("/api/v1/status").statusCode()).isEqualTo(200);

            List<String> commandLines = commandLines();
            String state = dir.resolve("secrets-by-file").resolve("state").toString();
            assertThat(commandLines).as("the service's own processes are among those scanned")
                    .anyMatch(line -> line.contains("warmpool.jar run"))
                    .anyMatch(line -> line.contains("postgres") && line.contains(state));
            for (String secret : List.of(ServiceProcess.TOKEN, DB_PASSWORD, HMAC_KEY)) {
                assertThat(commandLines).as("command lines holding a secret").noneMatch(line -> line.contains(secret));
            }
            assertThat(ps()).doesNotContain(ServiceProcess.TOKEN, DB_PASSWORD, HMAC_KEY);
            assertThat(service.stderr()).doesNotContain("on the command line is visible");
        }
    }

    @Test
    void givenASecretAsAFlag_theServiceWarnsOnOneLine_andTheScanFindsIt() throws Exception {
        Path dir = Logs.dir("SecretsNotInProcessListTest-flag");
        try (ServiceProcess service = ServiceProcess.builder("secret-by-flag", dir)
                .setting("presets", presets(dir).toString())
                .setting("token", ServiceProcess.TOKEN)
                .env("WARMPOOL_TOKEN", "")
                .start()) {
            service.awaitReady(Duration.ofSeconds(90));

            assertThat(commandLines()).anyMatch(line -> line.contains(ServiceProcess.TOKEN));
            assertThat(service.stderr())
                    .contains("warning: --token on the command line is visible to every user of this machine (ps); "
                            + "use --token-file FILE or WARMPOOL_TOKEN instead\n")
                    .doesNotContain(ServiceProcess.TOKEN);
        }
    }

    static Path secretFile(Path file, String secret) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static Path presets(Path dir) {
        return Fixtures.write(dir.resolve("presets.yaml"), """
                templates:
                  - name: t
                    version: v1
                    presets:
                      - {name: p, parameters: {}, prebuilds: {instances: 1}}
                """);
    }

    /** Every process's command line, arguments joined by spaces, as {@code ps -ww -eo args} shows them. */
    static List<String> commandLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
                    lines.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
                } catch (IOException e) {
                    // the process ended while the list was read
                }
            }
        }
        return lines;
    }

    /** {@code ps -ww -eo args} (never cut to a width), the view of any user of the machine. */
    static String ps() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ps", "-ww", "-eo", "args").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("warmpool.jar run");
        return out;
    }
}
