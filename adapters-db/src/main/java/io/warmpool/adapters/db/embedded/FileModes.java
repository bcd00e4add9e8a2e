package io.warmpool.adapters.db.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owner-only directories and secret files, and the checks that keep them so. */
final class FileModes {

    private static final Logger LOG = LoggerFactory.getLogger(FileModes.class);
    private static final Set<PosixFilePermission> OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private FileModes() {
    }

    /**
     * Creates {@code dir} (and its parents) mode 0700, or narrows an existing one to 0700, saying so: an earlier
     * release left these directories readable (and the binaries writable) by every local user.
     */
    static void ensurePrivateDirectory(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new EmbeddedPostgresException(dir + " is a symbolic link; the embedded database wants a real directory it owns");
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PostgresBinaries.DIR_MODE);
            return;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (mode.stream().anyMatch(OTHERS::contains)) {
            Files.setPosixFilePermissions(dir, PostgresBinaries.DIR_MODE);
            LOG.warn("narrowed " + dir + " from " + PosixFilePermissions.toString(mode)
                    + " to rwx------: only the service's user may read or change it");
        }
        requireOwned(dir);
    }

    /** Refuses {@code path} when another user owns it or when its group or others may write it. */
    static void requirePrivate(Path path, Function<String, ? extends RuntimeException> refusal) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw refusal.apply(path + " is writable by other users (" + PosixFilePermissions.toString(mode) + ")");
        }
        int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != effectiveUid()) {
            throw refusal.apply(path + " belongs to uid " + owner + ", not to this user (uid " + effectiveUid() + ")");
        }
    }

    private static void requireOwned(Path dir) throws IOException {
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != effectiveUid()) {
            throw new EmbeddedPostgresException(dir + " belongs to uid " + owner + ", not to the user running warmpool (uid "
                    + effectiveUid() + "); run warmpool as that user or choose another --state-dir");
        }
    }

    /** The effective uid of this process, read from {@code /proc/self/status}. */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("/proc/self/status has no Uid line");
    }

    /** The secret stored in {@code file}, if it exists (one line, trimmed). */
    static Optional<String> readSecret(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        requirePrivateSecret(file);
        String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }

    /** A new random secret (192 bits, hex) stored in {@code file} mode 0600, written atomically. */
    static String createSecret(Path file) throws IOException {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PostgresBinaries.FILE_MODE));
        try {
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return secret;
    }

    private static void requirePrivateSecret(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (mode.stream().anyMatch(OTHERS::contains)) {
            Files.setPosixFilePermissions(file, PostgresBinaries.FILE_MODE);
            LOG.warn("narrowed " + file + " from " + PosixFilePermissions.toString(mode) + " to rw-------");
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
