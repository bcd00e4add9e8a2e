package io.warmpool.bootstrap.runtime;

import io.warmpool.adapters.presets.TextInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The API bearer token: given by configuration, or generated at first start and stored in the state
 * directory with mode 0600 so only the service's user (and the CLI run by it) can read it.
 */
public final class ApiToken {

    public static final String FILE_NAME = "api-token";

    private ApiToken() {
    }

    /** The token file under {@code stateDir}. */
    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /** Reads the stored token, or creates one (256 random bits, hex) with mode 0600. */
    public static String loadOrCreate(Path stateDir) throws IOException {
        Optional<String> existing = read(stateDir);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (!Files.isDirectory(stateDir)) {
            // Only the service's user may list the state directory: it holds the token and the database's secrets.
            Files.createDirectories(stateDir);
            restrictDirectory(stateDir);
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Path file = file(stateDir);
        Path tmp = Files.createTempFile(stateDir, FILE_NAME, ".tmp");
        try {
            restrict(tmp);
            Files.writeString(tmp, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return token;
    }

    /** The stored token, if there is one. */
    public static Optional<String> read(Path stateDir) throws IOException {
        Path file = file(stateDir);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String token;
        try {
            token = TextInput.readFile(file, TextInput.MAX_SECRET_BYTES).trim();
        } catch (TextInput.RefusedException e) {
            throw new IOException(e.getMessage(), e);
        }
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static void restrictDirectory(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system.
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            Files.setPosixFilePermissions(file, ownerOnly);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the best we can do is the platform's default for a temp file.
        }
    }
}
