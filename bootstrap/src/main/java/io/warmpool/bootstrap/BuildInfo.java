package io.warmpool.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/**
 * What this build of warmpool is: its version and the git revision it was built from, read from the
 * {@code build.properties} resource that Maven filters at build time (bootstrap/pom.xml). Shown by
 * {@code warmpool version}, {@code GET /api/v1/version} and the {@code warmpool_build_info} metric.
 *
 * @param version  the Maven version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param revision the abbreviated git commit, with {@code -dirty} when the tree had uncommitted changes;
 *                 {@value #UNKNOWN} when built from a tree without git (a tarball, {@code git archive})
 */
public record BuildInfo(String version, String revision) {

    /** The revision (or version) of a build whose source had no git metadata. */
    public static final String UNKNOWN = "unknown";

    private static final String RESOURCE = "build.properties";

    public BuildInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(revision, "revision");
    }

    /** This build's information, from the classpath. */
    public static BuildInfo current() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return of(properties.getProperty("version"), properties.getProperty("revision"),
                properties.getProperty("dirty"));
    }

    /** From the filtered properties' values; an unfiltered or missing value is {@value #UNKNOWN}. */
    static BuildInfo of(String version, String revision, String dirty) {
        String commit = known(revision);
        if (!commit.equals(UNKNOWN) && "true".equals(known(dirty))) {
            commit = commit + "-dirty";
        }
        return new BuildInfo(known(version), commit);
    }

    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.trim();
    }

    /** {@code warmpool 0.1.0-SNAPSHOT (revision 1f8649a3c2d1)}. */
    @Override
    public String toString() {
        return "warmpool " + version + " (revision " + revision + ")";
    }
}
