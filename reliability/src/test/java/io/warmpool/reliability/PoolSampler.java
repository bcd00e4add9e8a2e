package io.warmpool.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Samples every active preset's pool from the database while the services run, each sample one statement (one
 * consistent view): desired ({@code instances}; the suite's presets have no schedules), running prebuilds, and
 * creates in flight (pending or running create builds). Keeps each preset's largest sample and every sample
 * that broke the bound {@code running + creating <= desired + allowance}. Database errors are counted, not
 * thrown, so it keeps sampling across a database restart.
 */
public final class PoolSampler implements AutoCloseable {

    private static final String SQL = """
            select t.name || '/' || p.name as preset, p.instances as desired,
                   (select count(*) from workspaces w
                     where w.preset_id = p.id and w.owner = 'prebuilds' and w.phase = 'running') as running,
                   (select count(*) from builds b
                     where b.preset_id = p.id and b.transition = 'create' and b.status in ('pending', 'running')) as creating
              from presets p
              join template_versions v on v.id = p.version_id and v.active
              join templates t on t.id = v.template_id
            """;

    /** One preset in one sample. */
    public record Row(Instant at, String preset, int desired, int running, int creating) {
        /** Prebuilds that exist or are being made: what a double pass would push over desired. */
        public int alive() {
            return running + creating;
        }

        @Override
        public String toString() {
            return preset + " at " + at + ": running " + running + " + creating " + creating + " (desired " + desired + ")";
        }
    }

    private final SharedDatabase.Database db;
    private final Duration every;
    private final int allowance;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Row> maxima = new LinkedHashMap<>();
    private final List<Row> violations = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Row>>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Thread thread;

    /**
     * Starts sampling.
     *
     * @param allowance how far above desired {@code running + creating} may go (0: never above desired)
     */
    public PoolSampler(SharedDatabase.Database db, Duration every, int allowance) {
        this.db = db;
        this.every = every;
        this.allowance = allowance;
        this.thread = new Thread(this::loop, "pool-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Also hands every sample to {@code listener} (on the sampler thread). */
    public PoolSampler onSample(Consumer<List<Row>> listener) {
        listeners.add(listener);
        return this;
    }

    private void loop() {
        while (running.get()) {
            sampleOnce();
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Takes one sample now (also called by the loop). */
    public void sampleOnce() {
        List<Row> rows = new ArrayList<>();
        try {
            Instant at = Instant.now();
            for (Map<String, Object> r : db.query(SQL)) {
                rows.add(new Row(at, (String) r.get("preset"), ((Number) r.get("desired")).intValue(),
                        ((Number) r.get("running")).intValue(), ((Number) r.get("creating")).intValue()));
            }
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            return;
        }
        samples.incrementAndGet();
        synchronized (maxima) {
            for (Row row : rows) {
                Row max = maxima.get(row.preset());
                if (max == null || row.alive() > max.alive()) {
                    maxima.put(row.preset(), row);
                }
                if (row.alive() > row.desired() + allowance) {
                    violations.add(row);
                }
            }
        }
        listeners.forEach(l -> l.accept(rows));
    }

    /** Samples that broke the bound. */
    public List<Row> violations() {
        return List.copyOf(violations);
    }

    /** Each preset's sample with the most alive prebuilds. */
    public Map<String, Row> maxima() {
        synchronized (maxima) {
            return Map.copyOf(maxima);
        }
    }

    /** The largest {@code alive - desired} of any preset in any sample. */
    public int maxOverDesired() {
        return maxima().values().stream().mapToInt(r -> r.alive() - r.desired()).max().orElse(0);
    }

    public long samples() {
        return samples.get();
    }

    public long errors() {
        return errors.get();
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
