package io.warmpool.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the suite keeps what it captured: {@code reliability/target/reliability-logs/<test>/}, kept after the run. */
public final class Logs {

    private Logs() {
    }

    /** A fresh (emptied) directory for one test, e.g. {@code dir("ReplicasTest")}. */
    public static Path dir(String test) {
        Path root = Path.of(System.getProperty("reliability.logs", "target/reliability-logs"));
        Path dir = root.resolve(test).toAbsolutePath();
        try {
            SharedDatabase.deleteRecursively(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The shaded jar under test ({@code bootstrap/target/warmpool.jar}); fails clearly when it was not built. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("warmpool.jar", "../bootstrap/target/warmpool.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -B verify -P reliability -pl reliability -am "
                    + "builds it in the same reactor)");
        }
        return jar;
    }

    /** A script of {@code reliability/src/test/scripts}. */
    public static Path script(String name) {
        Path p = Path.of(System.getProperty("reliability.scripts", "src/test/scripts")).resolve(name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no script " + p);
        }
        return p;
    }
}
