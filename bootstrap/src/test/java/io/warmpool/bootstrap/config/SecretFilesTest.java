package io.warmpool.bootstrap.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.bootstrap.wiring.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Secrets from files (SPEC §7: a secret never where other users read it): {@code --token-file},
 * {@code --db-password-file}, {@code --http-provisioner-secret-file}, their variables and file keys. Every message
 * names the setting and the file and never carries the secret.
 */
class SecretFilesTest {

    static final String SECRET = "s3cret-value-0123456789abcdef";

    @TempDir
    Path dir;

    Path secretFile(String content, String mode) throws IOException {
        Path file = dir.resolve("secret-" + System.nanoTime());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    static Config flags(Setting s, String value) {
        return Config.load(Map.of(s, value), Map.of(), null);
    }

    @ParameterizedTest
    @EnumSource(value = Setting.class, names = {"TOKEN", "DB_PASSWORD", "HTTP_PROVISIONER_SECRET"})
    void givenAFileFlag_theSecretIsItsContent_withoutTheTrailingNewline_andNoWarning(Setting s) throws IOException {
        Path file = secretFile(SECRET + "\n", "rw-------");
        Config config = flags(s.secretFile().orElseThrow(), file.toString());

        assertThat(config.secret(s)).contains(SECRET);
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void givenTheVariable_orTheConfigurationFileKey_theFileIsReadToo() throws IOException {
        Path file = secretFile(SECRET + "\r\n", "r--------");
        assertThat(Config.load(Map.of(), Map.of("WARMPOOL_TOKEN_FILE", file.toString()), null).secret(Setting.TOKEN))
                .contains(SECRET);

        Path yaml = dir.resolve("warmpool.yaml");
        Files.writeString(yaml, "db-password-file: " + file + "\n");
        assertThat(Config.load(Map.of(), Map.of(), yaml).secret(Setting.DB_PASSWORD)).contains(SECRET);
    }

    @Test
    void givenNoFile_theValueItselfIsTheSecret_andNeitherIsNone() {
        assertThat(Config.load(Map.of(), Map.of("WARMPOOL_TOKEN", SECRET), null).secret(Setting.TOKEN)).contains(SECRET);
        assertThat(Config.load(Map.of(), Map.of(), null).secret(Setting.TOKEN)).isEmpty();
    }

    @Test
    void givenBothTheValueAndItsFile_itIsAnErrorNamingBoth_andNotTheSecret() throws IOException {
        Path file = secretFile(SECRET, "rw-------");
        Config config = Config.load(Map.of(Setting.TOKEN_FILE, file.toString()), Map.of("WARMPOOL_TOKEN", "other-" + SECRET), null);

        assertThatThrownBy(() -> config.secret(Setting.TOKEN))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WARMPOOL_TOKEN and --token-file are both set")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void givenAMissingFile_itIsAnErrorNamingTheSettingAndTheFile() {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> flags(Setting.DB_PASSWORD_FILE, missing.toString()).secret(Setting.DB_PASSWORD))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--db-password-file: " + missing + " cannot be read: no such file");
    }

    @Test
    void givenAnEmptyFile_orOnlyANewline_itIsAnError() throws IOException {
        Path empty = secretFile("\n", "rw-------");
        assertThatThrownBy(() -> flags(Setting.TOKEN_FILE, empty.toString()).secret(Setting.TOKEN))
                .hasMessage("--token-file: " + empty + " is empty");
    }

    @Test
    void givenATooLargeOrBinaryOrMultiLineFile_itIsAnError_neverEchoingTheContent() throws IOException {
        Path large = secretFile("x".repeat(64 * 1024 + 1), "rw-------");
        assertThatThrownBy(() -> flags(Setting.TOKEN_FILE, large.toString()).secret(Setting.TOKEN))
                .hasMessageContaining("is larger than the limit of 64 KiB");

        Path binary = dir.resolve("binary");
        Files.write(binary, new byte[] {'a', (byte) 0xFF, 'b'});
        assertThatThrownBy(() -> flags(Setting.TOKEN_FILE, binary.toString()).secret(Setting.TOKEN))
                .hasMessage("--token-file: " + binary + " is not a text file (invalid UTF-8 at byte 2)");

        Path twoLines = secretFile(SECRET + "\nsecond-line\n", "rw-------");
        assertThatThrownBy(() -> flags(Setting.TOKEN_FILE, twoLines.toString()).secret(Setting.TOKEN))
                .hasMessageContaining("must hold the secret on one line")
                .hasMessageNotContaining(SECRET).hasMessageNotContaining("second-line");
    }

    @Test
    void givenAFileReadableByOthers_itIsReadWithAWarningNamingTheFile_notTheSecret() throws IOException {
        Path file = secretFile(SECRET, "rw-r--r--");
        Config config = flags(Setting.HTTP_PROVISIONER_SECRET_FILE, file.toString());

        assertThat(config.secret(Setting.HTTP_PROVISIONER_SECRET)).contains(SECRET);
        assertThat(config.warnings()).singleElement().asString()
                .isEqualTo("--http-provisioner-secret-file: " + file + " is readable by other users (rw-r--r--); chmod 600 it")
                .doesNotContain(SECRET);
    }

    @Test
    void givenTheSecretItselfInAConfigurationFileReadableByOthers_itIsWarnedAboutToo() throws IOException {
        Path yaml = secretFile("token: " + SECRET + "\n", "rw-rw-r--");

        Config config = Config.load(Map.of(), Map.of(), yaml);

        assertThat(config.secret(Setting.TOKEN)).contains(SECRET);
        assertThat(config.warnings()).singleElement().asString()
                .isEqualTo(yaml + ": token: " + yaml + " is readable by other users (rw-rw-r--); chmod 600 it");
    }

    @Test
    void settingsTakeTheTokenAndTheDatabasePasswordFromTheirFiles() throws IOException {
        Path token = secretFile("token-" + SECRET + "\n", "rw-------");
        Path password = secretFile("password-" + SECRET + "\n", "rw-------");
        Settings settings = Settings.from(Config.load(Map.of(Setting.TOKEN_FILE, token.toString()),
                Map.of("WARMPOOL_DB_PASSWORD_FILE", password.toString()), null));

        assertThat(settings.token()).contains("token-" + SECRET);
        assertThat(settings.dbPassword()).contains("password-" + SECRET);
        assertThat(settings.toString()).doesNotContain(SECRET);
    }

    @Test
    void settingsReportEverySecretProblemAtOnce() {
        Config config = Config.load(Map.of(Setting.TOKEN_FILE, dir.resolve("a").toString(), Setting.TOKEN, "x"),
                Map.of("WARMPOOL_DB_PASSWORD_FILE", dir.resolve("b").toString()), null);

        assertThatThrownBy(() -> Settings.from(config))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "--token and --token-file are both set: give the secret one way only (the file is safer)",
                        "WARMPOOL_DB_PASSWORD_FILE: " + dir.resolve("b") + " cannot be read: no such file"));
    }
}
