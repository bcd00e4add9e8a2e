package io.warmpool.buildtools;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ classes from the Flyway migrations against a real (embedded) PostgreSQL, so the
 * generated types are exactly PostgreSQL's (jsonb, enums, partial indexes). Runs in {@code generate-sources}
 * of adapters-db; needs no server. Skips the work when the generated code is newer than every migration.
 *
 * <p>Arguments: migrations directory, target directory, target package.
 */
public final class JooqCodegen {

    /**
     * Flyway logs through the JDK's logging here (Maven's own SLF4J has no backend in this plugin's class loader):
     * forty INFO lines of migrations in the first build of a fresh tree, the one `./warmpool run` shows. Warnings
     * stay. Held in a field: the JDK keeps only weak references to its loggers.
     */
    private static final java.util.logging.Logger FLYWAY = java.util.logging.Logger.getLogger("org.flywaydb");

    private JooqCodegen() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: JooqCodegen MIGRATIONS_DIR TARGET_DIR PACKAGE");
        }
        Path migrations = Path.of(args[0]);
        Path target = Path.of(args[1]);
        String packageName = args[2];
        Path stamp = target.resolve(".codegen-stamp");
        if (upToDate(migrations, stamp)) {
            System.out.println("[warmpool-codegen] jOOQ classes are up to date");
            return;
        }
        FLYWAY.setLevel(java.util.logging.Level.WARNING);
        Path data = Files.createTempDirectory("warmpool-codegen");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(data.toFile()).start()) {
            Flyway.configure()
                    .dataSource(pg.getPostgresDatabase())
                    .locations("filesystem:" + migrations.toAbsolutePath())
                    .load()
                    .migrate();
            Configuration configuration = new Configuration()
                    .withJdbc(new Jdbc()
                            .withDriver("org.postgresql.Driver")
                            .withUrl(pg.getJdbcUrl("postgres", "postgres"))
                            .withUser("postgres"))
                    .withGenerator(new Generator()
                            .withDatabase(new Database()
                                    .withName("org.jooq.meta.postgres.PostgresDatabase")
                                    .withInputSchema("public")
                                    .withExcludes("flyway_schema_history")
                                    // Instants everywhere: the application's time type, no zone games.
                                    .withForcedTypes(new ForcedType()
                                            .withName("INSTANT")
                                            .withIncludeTypes("(?i:timestamp\\ with\\ time\\ zone)")))
                            .withGenerate(new Generate()
                                    .withJavaTimeTypes(true)
                                    .withRecords(true)
                                    .withPojos(false)
                                    .withDaos(false)
                                    .withGeneratedAnnotation(false))
                            .withTarget(new Target()
                                    .withPackageName(packageName)
                                    .withDirectory(target.toAbsolutePath().toString())));
            GenerationTool.generate(configuration);
        } finally {
            deleteRecursively(data);
        }
        Files.writeString(stamp, "generated from " + migrations + "\n");
    }

    private static boolean upToDate(Path migrations, Path stamp) throws Exception {
        if (!Files.exists(stamp)) {
            return false;
        }
        FileTime generated = Files.getLastModifiedTime(stamp);
        try (Stream<Path> files = Files.walk(migrations)) {
            return files.filter(Files::isRegularFile).allMatch(f -> {
                try {
                    return Files.getLastModifiedTime(f).compareTo(generated) < 0;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    private static void deleteRecursively(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
