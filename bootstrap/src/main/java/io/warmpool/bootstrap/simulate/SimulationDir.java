package io.warmpool.bootstrap.simulate;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The state directory of a {@code simulate} run's throwaway embedded PostgreSQL: a slot under the user's cache
 * ({@code $XDG_CACHE_HOME/warmpool/simulate/<n>}, else {@code ~/.cache/warmpool/simulate/<n>}) that keeps the
 * unpacked PostgreSQL binaries ({@code pgbin/}, verified by the embedded server before every start) and nothing
 * else: the data directory and the rest are deleted before and after each run, so every run starts on an empty
 * database. Unpacking the binaries (xz in Java) cost each run about 3 s of CPU, the largest fixed cost of a short
 * run. A slot is held with a file lock beside it for the whole run, so concurrent runs take different slots; a slot
 * whose server may still be running ({@code pgdata/postmaster.pid}, a run killed hard) is left alone. Without a
 * usable slot the run uses a fresh temporary directory, deleted afterwards, as before.
 */
final class SimulationDir implements AutoCloseable {

    private static final int SLOTS = 8;
    private static final String KEEP = "pgbin";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private SimulationDir(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** A free slot under the cache, emptied but for its binaries; else a new temporary directory. */
    static SimulationDir open() throws IOException {
        try {
            Path root = cacheRoot().resolve("warmpool").resolve("simulate");
            Files.createDirectories(root);
            for (int slot = 0; slot < SLOTS; slot++) {
                Path dir = root.resolve(Integer.toString(slot));
                FileChannel channel = FileChannel.open(root.resolve(slot + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null || Files.exists(dir.resolve("pgdata").resolve("postmaster.pid"))) {
                    channel.close();
                    continue;
                }
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
                SimulationDir held = new SimulationDir(dir, channel, lock);
                held.empty();
                return held;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no usable cache: a temporary directory, as every run had before
        }
        return new SimulationDir(Files.createTempDirectory("warmpool-simulate"), null, null);
    }

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    }

    Path path() {
        return path;
    }

    /** Deletes everything in the slot but the binaries (a temporary directory: everything, itself too). */
    private void empty() {
        try (Stream<Path> children = Files.list(path)) {
            for (Path child : children.toList()) {
                if (lock == null || !child.getFileName().toString().equals(KEEP)) {
                    deleteRecursively(child);
                }
            }
        } catch (IOException ignored) {
            // what cannot be listed is left; the embedded server refuses a directory it cannot use
        }
        if (lock == null) {
            deleteRecursively(path);
        }
    }

    @Override
    public void close() {
        empty();
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the lock goes with the process
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a directory left behind is harmless
        }
    }
}
