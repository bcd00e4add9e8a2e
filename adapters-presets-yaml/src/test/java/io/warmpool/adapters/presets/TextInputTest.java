package io.warmpool.adapters.presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Bad input, any file or upload (SPEC §7): too large, endless or binary inputs are refused by name, never buffered. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TextInputTest {

    @TempDir
    Path dir;

    @Test
    void givenUtf8Text_itIsReadAsIs() throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "name: café ✓\n");

        assertThat(TextInput.readFile(file, 100)).isEqualTo("name: café ✓\n");
    }

    @Test
    void givenAFileOfExactlyTheLimit_itIsRead_oneByteMoreIsRefusedBeforeReading() throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "x".repeat(100));
        assertThat(TextInput.readFile(file, 100)).hasSize(100);

        Files.writeString(file, "x".repeat(101));
        assertThatThrownBy(() -> TextInput.readFile(file, 100))
                .isInstanceOf(TextInput.RefusedException.class)
                .hasMessage(file + " is larger than the limit of 100 bytes")
                .satisfies(e -> assertThat(((TextInput.RefusedException) e).reason())
                        .isEqualTo(TextInput.RefusedException.Reason.TOO_LARGE));
    }

    @Test
    void givenInvalidUtf8_theRefusalNamesTheFileAndTheByte() throws IOException {
        Path file = dir.resolve("p.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});

        assertThatThrownBy(() -> TextInput.readFile(file, 100))
                .isInstanceOf(TextInput.RefusedException.class)
                .hasMessage(file + " is not a text file (invalid UTF-8 at byte 4)");
    }

    @Test
    void givenANulByte_theRefusalNamesTheByte() {
        assertThatThrownBy(() -> TextInput.decode("ab\0".getBytes(StandardCharsets.UTF_8), "upload"))
                .hasMessage("upload is not a text file (a NUL byte at byte 3)");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void givenDevZero_itIsRefusedAtTheFirstByte_notReadToTheEnd() {
        // Not a regular file: its size says 0, and it never ends. Today's refusal must not depend on either.
        assertThatThrownBy(() -> TextInput.readFile(Path.of("/dev/zero"), TextInput.MAX_PRESETS_BYTES))
                .hasMessage("/dev/zero is not a text file (a NUL byte at byte 1)");
    }

    @Test
    void givenAnEndlessTextStream_atMostTheLimitPlusOneChunkIsRead() {
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                served.addAndGet(len);
                return len;
            }
        };

        assertThatThrownBy(() -> TextInput.read(endless, 1000, "stdin"))
                .hasMessage("stdin is larger than the limit of 1000 bytes");
        assertThat(served.get()).isEqualTo(1001);
    }

    @Test
    void givenADirectoryOrAMissingFile_itIsAnIOExceptionSaidInWords() {
        assertThatThrownBy(() -> TextInput.readFile(dir, 100)).isInstanceOf(IOException.class).hasMessage("is a directory");
        assertThatThrownBy(() -> TextInput.readFile(dir.resolve("missing"), 100))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(TextInput.reason((IOException) e)).isEqualTo("no such file"));
    }

    @Test
    void givenAnEmptyInput_itIsEmptyText() throws IOException {
        assertThat(TextInput.read(new ByteArrayInputStream(new byte[0]), 10, "empty")).isEmpty();
    }
}
