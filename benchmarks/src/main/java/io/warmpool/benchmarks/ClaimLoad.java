package io.warmpool.benchmarks;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop claim load: {@code clients} threads, each claiming from a preset drawn from its own seeded stream
 * (presets 1 … 100 of the seeded set) as fast as its calls return, first for an unmeasured warm-up (JIT, see
 * {@link #run}), then for the measured window. Every claimed id goes into one set, the warm-up's included, so that double claims are
 * {@code claimed − distinct}. Used by the claims benchmarks through the port and through the REST API.
 */
final class ClaimLoad {

    /** One claim call; answers the claimed workspace's id, or {@code null} when the claim missed. */
    @FunctionalInterface
    interface Claimer {
        UUID claim(int client, String name, PresetRef preset) throws Exception;
    }

    /**
     * @param claims   claims that got a workspace in the measured window
     * @param missed   claims that found nothing in the measured window
     * @param warmUp   claims that got a workspace during the warm-up
     * @param warmUpSeconds how long the warm-up lasted
     * @param seconds  the measured window's length, from its start to the last thread's end
     * @param p50Ms    median latency of a call in the measured window (claimed or missed)
     * @param p99Ms    99th percentile of the same
     * @param maxMs    the slowest call of the same
     * @param doubles  claims (warm-up included) minus distinct ids claimed
     * @param cpu      CPU time spent in the measured window
     */
    record Result(long claims, long missed, long warmUp, double warmUpSeconds, double seconds, double p50Ms, double p99Ms,
                  double maxMs, long doubles, CpuMeter.Sample cpu) {
        double rate() {
            return claims / seconds;
        }

        /** CPU time of this JVM and the server per call in the measured window (claimed or missed), in µs. */
        double cpuMicrosPerCall() {
            return (cpu.jvm() + cpu.postgres()) / (claims + missed) * 1e6;
        }
    }

    /** The longest warm-up (after which the second part still runs its minimum), however busy the JIT still is. */
    static final long MAX_WARM_UP_NANOS = 30_000_000_000L;

    /** Clients that run in the first part of the warm-up, when the JIT has most to compile. */
    static final int JIT_WARM_UP_CLIENTS = 4;

    private static final int JIT_WARM_UP = 0;
    private static final int WARM_UP = 1;
    private static final int MEASURED = 2;
    private static final int DONE = 3;

    private ClaimLoad() {
    }

    /**
     * Runs the load: a warm-up, then {@code measureNanos} measured. The warm-up has two parts, each lasting at least
     * its minimum ({@code warmUpNanos}, then half of it) and then until the JIT has been idle for a second (no
     * compilation time added; both together at most {@link #MAX_WARM_UP_NANOS}): first only
     * {@value #JIT_WARM_UP_CLIENTS} clients run, then all. With 32 busy client threads, as many server threads and
     * the database's backends on two cores, the JIT's two compiler threads get a tiny share of the CPU, and the hot
     * code stays interpreted for a long time (seen with the REST stack: a third of the samples in the interpreter
     * after 30 s at 32 clients).
     */
    static Result run(int clients, long warmUpNanos, long measureNanos, CpuMeter meter, Claimer claimer)
            throws InterruptedException {
        ConcurrentHashMap<UUID, Boolean> claimed = new ConcurrentHashMap<>();
        AtomicLong total = new AtomicLong();
        AtomicLong missed = new AtomicLong();
        AtomicLong warm = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicInteger phase = new AtomicInteger(JIT_WARM_UP);
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            latencies[c] = new long[1 << 16];
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(client);
                try {
                    start.await();
                    int w = 0;
                    while (phase.get() == JIT_WARM_UP && client >= JIT_WARM_UP_CLIENTS && failure.get() == null) {
                        Thread.sleep(10);
                    }
                    while (phase.get() <= WARM_UP && failure.get() == null) {
                        UUID id = claimer.claim(client, "warm-" + client + "-" + w++, preset(random));
                        if (id != null) {
                            warm.incrementAndGet();
                            claimed.put(id, Boolean.TRUE);
                        }
                    }
                    int n = 0;
                    while (phase.get() == MEASURED && failure.get() == null) {
                        PresetRef preset = preset(random);
                        long t0 = System.nanoTime();
                        UUID id = claimer.claim(client, "w-" + client + "-" + n, preset);
                        long took = System.nanoTime() - t0;
                        if (n == latencies[client].length) {
                            latencies[client] = Arrays.copyOf(latencies[client], n * 2);
                        }
                        latencies[client][n++] = took;
                        if (id != null) {
                            total.incrementAndGet();
                            claimed.put(id, Boolean.TRUE);
                        } else {
                            missed.incrementAndGet();
                        }
                    }
                    counts[client] = n;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "claim-" + c);
            threads.add(t);
            t.start();
        }
        long warmUpStart = System.nanoTime();
        start.countDown();
        warmUp(warmUpStart, warmUpNanos, failure);
        phase.set(WARM_UP);
        warmUp(warmUpStart, warmUpNanos / 2, failure);
        System.out.printf(Locale.ROOT, "[bench] warm-up done after %.1f s; measuring %d s%n",
                (System.nanoTime() - warmUpStart) / 1e9, measureNanos / 1_000_000_000L);
        CpuMeter.Sample cpu = meter.sample();
        long measureStart = System.nanoTime();
        phase.set(MEASURED);
        Thread.sleep(measureNanos / 1_000_000);
        phase.set(DONE);
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - measureStart) / 1e9;
        cpu = meter.sample().minus(cpu);
        if (failure.get() != null) {
            throw new IllegalStateException("a claim failed: " + failure.get(), failure.get());
        }
        long attempts = Arrays.stream(counts).asLongStream().sum();
        long[] all = new long[(int) attempts];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.50)] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        double max = all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6;
        long doubles = total.get() + warm.get() - claimed.size();
        return new Result(total.get(), missed.get(), warm.get(), (measureStart - warmUpStart) / 1e9, wall, p50, p99,
                max, doubles, cpu);
    }

    /** Waits {@code minNanos}, then until no compilation for a second or {@link #MAX_WARM_UP_NANOS} after {@code since}. */
    private static void warmUp(long since, long minNanos, AtomicReference<Exception> failure) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        Thread.sleep(minNanos / 1_000_000);
        long last = timed ? jit.getTotalCompilationTime() : 0;
        long idleSince = System.nanoTime();
        while (timed && failure.get() == null && System.nanoTime() - since < MAX_WARM_UP_NANOS
                && System.nanoTime() - idleSince < 1_000_000_000L) {
            Thread.sleep(100);
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                idleSince = System.nanoTime();
            }
        }
    }

    private static PresetRef preset(SplittableRandom random) {
        PresetId p = DatabaseBenchmarks.presetId(1 + random.nextInt(100));
        return new PresetRef(p.template(), p.preset());
    }
}
