package io.warmpool.reliability;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/** Presets files, simulated-provisioner files and database checks shared by the suite's tests. */
final class Fixtures {

    private Fixtures() {
    }

    /**
     * A presets file of {@code templates × perTemplate} presets named {@code tNN/pM}, version v1, with
     * {@code instances.applyAt(i)} prebuilds for the i-th preset (0-based), no TTL, no schedule.
     */
    static Path presets(Path file, int templates, int perTemplate, IntUnaryOperator instances) {
        StringBuilder sb = new StringBuilder("templates:\n");
        int i = 0;
        for (int t = 1; t <= templates; t++) {
            sb.append(String.format("  - name: t%02d%n    version: v1%n    presets:%n", t));
            for (int p = 1; p <= perTemplate; p++, i++) {
                sb.append(String.format("      - name: p%d%n        parameters: {n: \"%d\"}%n        prebuilds: {instances: %d}%n",
                        p, i, instances.applyAsInt(i)));
            }
        }
        return write(file, sb.toString());
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Active presets whose running prebuilds differ from desired, or with builds in flight, or failed prebuilds left. */
    static List<Map<String, Object>> unconverged(SharedDatabase.Database db) {
        return db.query("""
                select t.name || '/' || p.name as preset, p.instances as desired,
                       (select count(*) from workspaces w where w.preset_id = p.id and w.owner = 'prebuilds'
                         and w.phase = 'running') as running,
                       (select count(*) from workspaces w where w.preset_id = p.id and w.owner = 'prebuilds'
                         and w.phase in ('starting', 'failed', 'deleting')) as other,
                       (select count(*) from builds b where b.preset_id = p.id
                         and b.status in ('pending', 'running')) as in_flight
                  from presets p
                  join template_versions v on v.id = p.version_id and v.active
                  join templates t on t.id = v.template_id
                 where (select count(*) from workspaces w where w.preset_id = p.id and w.owner = 'prebuilds'
                         and w.phase = 'running') <> p.instances
                    or exists (select 1 from workspaces w where w.preset_id = p.id and w.owner = 'prebuilds'
                         and w.phase in ('starting', 'failed', 'deleting'))
                    or exists (select 1 from builds b where b.preset_id = p.id and b.status in ('pending', 'running'))
                 order by 1
                """);
    }

    /**
     * Waits until every active preset has exactly {@code instances} running prebuilds, nothing in flight and no
     * failed prebuild left, in two samples {@code pause} apart (so a pass in between changed nothing).
     */
    static void awaitConverged(SharedDatabase.Database db, Duration atMost, Duration pause) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!unconverged(db).isEmpty()) {
                return false;
            }
            Thread.sleep(pause.toMillis());
            return unconverged(db).isEmpty();
        });
    }

    /** Workspaces with more than one create build: a prebuild created twice. */
    static long workspacesCreatedTwice(SharedDatabase.Database db) {
        return db.count("""
                select count(*) from (select workspace_id from builds where transition = 'create'
                 group by workspace_id having count(*) > 1) x
                """);
    }

    /** Builds taken by a worker more than once (the attempt counter goes up on every take). */
    static long buildsTakenTwice(SharedDatabase.Database db) {
        return db.count("select count(*) from builds where attempt > 1");
    }
}
