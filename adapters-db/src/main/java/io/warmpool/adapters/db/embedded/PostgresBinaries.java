package io.warmpool.adapters.db.embedded;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server binaries, unpacked from the archive on the classpath into a directory only this user can
 * read or write, and checked before every start.
 *
 * <p>Layout: {@code <root>/<archive sha-256, 16 hex>/} with {@code bin/}, {@code lib/}, {@code share/} and a
 * {@code .manifest} listing every entry with its SHA-256 (or its link target). Directories are 0700, executables
 * 0700, other files 0600. Unpacking goes to a temporary directory renamed into place, so a crash mid-unpack never
 * leaves a half tree that looks complete. {@link #verify} refuses a tree whose files changed, whose modes let
 * another user write, or that another user owns: whoever can replace {@code bin/postgres} runs code as the
 * service's user at its next start.
 */
final class PostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String MANIFEST = ".manifest";
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> EXEC_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path home;

    private PostgresBinaries(Path home) {
        this.home = home;
    }

    /** The directory with {@code bin/}, {@code lib/} and {@code share/}. */
    Path home() {
        return home;
    }

    Path bin(String name) {
        return home.resolve("bin").resolve(name);
    }

    /**
     * The binaries under {@code root}: unpacked there when missing, then verified.
     *
     * @throws EmbeddedPostgresException when the archive is not on the classpath (an unsupported platform) or the
     *                                   unpacked tree fails verification
     */
    static PostgresBinaries prepare(Path root) throws IOException {
        if (!isLinuxX8664()) {
            throw new EmbeddedPostgresException("the embedded PostgreSQL ships for Linux x86-64 only, this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                    + "; give an external database with --db-url");
        }
        byte[] archive = readArchive();
        String digest = HexFormat.of().formatHex(sha256().digest(archive)).substring(0, 16);
        FileModes.ensurePrivateDirectory(root);
        Path home = root.resolve(digest);
        if (!Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
            unpack(archive, root, home);
        }
        PostgresBinaries binaries = new PostgresBinaries(home);
        long verifying = System.nanoTime();
        binaries.verify();
        long ms = (System.nanoTime() - verifying) / 1_000_000;
        LOG.atDebug().log(() -> "verified the PostgreSQL binaries under " + home + " in " + ms + " ms");
        return binaries;
    }

    private static boolean isLinuxX8664() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private static byte[] readArchive() throws IOException {
        try (InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (in == null) {
                throw new EmbeddedPostgresException("the PostgreSQL binaries (" + ARCHIVE + ") are not on the classpath;"
                        + " give an external database with --db-url");
            }
            return in.readAllBytes();
        }
    }

    private static void unpack(byte[] archive, Path root, Path home) throws IOException {
        long started = System.nanoTime();
        Path tmp = Files.createTempDirectory(root, "unpacking-");
        Files.setPosixFilePermissions(tmp, DIR_MODE);
        TreeMap<String, String> manifest = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
                new BufferedInputStream(new java.io.ByteArrayInputStream(archive))))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = tmp.resolve(entry.getName()).normalize();
                if (!target.startsWith(tmp)) {
                    throw new EmbeddedPostgresException("the PostgreSQL archive has an entry outside its root: " + entry.getName());
                }
                String name = tmp.relativize(target).toString();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, DIR_MODE);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    manifest.put(name, "link " + entry.getLinkName());
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    MessageDigest sha = sha256();
                    try (OutputStream out = Files.newOutputStream(target)) {
                        DigestInputStream in = new DigestInputStream(tar, sha);
                        in.transferTo(out);
                    }
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(target, executable ? EXEC_MODE : FILE_MODE);
                    manifest.put(name, (executable ? "exec " : "file ") + HexFormat.of().formatHex(sha.digest()));
                } else {
                    throw new EmbeddedPostgresException("the PostgreSQL archive has an unsupported entry: " + entry.getName());
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(tmp)) {
            for (Path dir : dirs.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(dir, DIR_MODE);
            }
        }
        Path manifestFile = tmp.resolve(MANIFEST);
        try (BufferedWriter w = Files.newBufferedWriter(manifestFile, StandardCharsets.UTF_8)) {
            for (var e : manifest.entrySet()) {
                w.write(e.getValue() + " " + e.getKey() + "\n");
            }
        }
        Files.setPosixFilePermissions(manifestFile, FILE_MODE);
        try {
            Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // Another start unpacked the same archive meanwhile: keep theirs.
            FileModes.deleteTree(tmp);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        LOG.info("unpacked the PostgreSQL binaries into " + home + " (" + manifest.size() + " entries, " + ms + " ms)");
    }

    /**
     * Checks every entry of the manifest: content (SHA-256) or link target, no other user can write it, this user
     * owns it. Files the manifest does not list (none are expected) are refused too.
     */
    void verify() throws IOException {
        Path manifestFile = home.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            throw tampered("its manifest " + manifestFile + " is missing");
        }
        FileModes.requirePrivate(home, this::tampered);
        FileModes.requirePrivate(manifestFile, this::tampered);
        TreeMap<String, String> expected = new TreeMap<>();
        for (String line : Files.readAllLines(manifestFile, StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ", 3);
            if (parts.length != 3) {
                throw tampered("its manifest has a malformed line");
            }
            expected.put(parts[2], parts[0] + " " + parts[1]);
        }
        List<String> found = new ArrayList<>();
        byte[] buffer = new byte[1 << 16];
        try (Stream<Path> all = Files.walk(home)) {
            for (Path p : all.toList()) {
                if (p.equals(home) || p.equals(manifestFile)) {
                    continue;
                }
                String name = home.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    String want = expected.get(name);
                    if (want == null || !want.equals("link " + Files.readSymbolicLink(p))) {
                        throw tampered(p + " is not the link it was unpacked as");
                    }
                    found.add(name);
                    continue;
                }
                FileModes.requirePrivate(p, this::tampered);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String want = expected.get(name);
                if (want == null) {
                    throw tampered(p + " was not in the archive");
                }
                MessageDigest sha = sha256();
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        sha.update(buffer, 0, n);
                    }
                }
                if (!want.endsWith(" " + HexFormat.of().formatHex(sha.digest()))) {
                    throw tampered(p + " changed since it was unpacked (SHA-256 mismatch)");
                }
                found.add(name);
            }
        }
        if (found.size() != expected.size()) {
            expected.keySet().removeAll(found);
            throw tampered("entries are missing, e.g. " + expected.firstKey());
        }
    }

    private EmbeddedPostgresException tampered(String why) {
        return new EmbeddedPostgresException("refusing to run the PostgreSQL binaries under " + home + ": " + why
                + ". If you did not change them yourself, treat this machine as compromised; otherwise delete "
                + home + " and they are unpacked again at the next start");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
