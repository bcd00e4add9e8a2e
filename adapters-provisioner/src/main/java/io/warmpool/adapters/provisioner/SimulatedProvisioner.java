package io.warmpool.adapters.provisioner;

import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.domain.PresetRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * A provisioner that provisions nothing: each build completes after a configured latency with an outcome decided by
 * the {@link SimulatedProvisionerConfig} rules. It is the default of {@code ./warmpool run} and the engine of
 * {@code warmpool simulate}.
 *
 * <p>Determinism: every random draw happens when {@link #provision} is called, from a random stream of the
 * build's preset ({@code template/preset}) derived from the seed and the preset's name. Each request draws exactly
 * two numbers, in this order: its latency, then its failure draw (even when no rule needs it). So with the same
 * seed, the same sequence of requests <em>per preset</em> gives the same outcomes and the same latencies, whatever
 * other presets do in between; completion times then follow from the scheduler's clock. {@code fail_first} is
 * counted per preset the same way.
 *
 * <p>Successful creates return the output {@code url = https://sim.invalid/<workspace id>}. Deletes succeed unless
 * {@link SimulatedProvisionerConfig#deleteFailureRate()} says otherwise; failure rules never apply to deletes.
 *
 * <p>Thread-safe. The returned stage completes on the scheduler's thread (in virtual time: inside the simulator's
 * loop). If the scheduler rejects the task (it was shut down) the stage completes at once with
 * {@link ProvisionResult.Unavailable}, so it always completes.
 */
public final class SimulatedProvisioner implements WorkspaceProvisionerPort {

    private final SimulatedProvisionerConfig config;
    private final long seed;
    private final CompletionScheduler scheduler;
    private final Map<String, PresetStream> streams = new HashMap<>();

    /**
     * @param config    latencies and failure rules
     * @param seed      the seed every preset's random stream is derived from
     * @param scheduler completes the builds; virtual time in the simulator, {@link ExecutorCompletionScheduler} in
     *                  the service
     */
    public SimulatedProvisioner(SimulatedProvisionerConfig config, long seed, CompletionScheduler scheduler) {
        this.config = Objects.requireNonNull(config, "config");
        this.seed = seed;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    @Override
    public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        Planned planned = plan(request);
        CompletableFuture<ProvisionResult> result = new CompletableFuture<>();
        try {
            scheduler.schedule(planned.latency(), () -> result.complete(planned.result()));
        } catch (RejectedExecutionException e) {
            result.complete(new ProvisionResult.Unavailable("simulated provisioner is stopped"));
        }
        return result;
    }

    private record Planned(Duration latency, ProvisionResult result) {
    }

    /** Draws and counts under one lock, so concurrent callers still consume each stream in call order. */
    private synchronized Planned plan(ProvisionRequest request) {
        PresetRef ref = request.preset().ref();
        String key = ref.toString();
        PresetStream stream = streams.computeIfAbsent(key, k -> new PresetStream(new SplittableRandom(mix(seed, k))));
        boolean create = request.transition() == Transition.CREATE;
        Latency latency = create ? config.createLatency() : config.deleteLatency();
        long spanMillis = latency.max().toMillis() - latency.min().toMillis();
        Duration took = latency.min().plusMillis(stream.random.nextLong(spanMillis + 1));
        double failureDraw = stream.random.nextDouble();
        String log = "simulated " + request.transition().wire() + " of " + key + " (version "
                + request.preset().version() + ") took " + took.toMillis() + " ms";
        if (!create) {
            if (failureDraw < config.deleteFailureRate()) {
                return new Planned(took, new ProvisionResult.Failed(
                        "simulated delete failure (delete_failure_rate " + config.deleteFailureRate() + ")", false, log));
            }
            return new Planned(took, new ProvisionResult.Succeeded(Map.of(), log));
        }
        long createNumber = ++stream.creates;
        FailureRule rule = config.ruleFor(ref);
        String reason = null;
        if (createNumber <= rule.failFirst()) {
            reason = "fail_first " + rule.failFirst() + ": create " + createNumber + " of " + key;
        } else if (failureDraw < rule.failureRate()) {
            reason = "failure_rate " + rule.failureRate();
        }
        if (reason != null) {
            String error = "simulated " + (rule.permanent() ? "permanent " : "") + "failure (" + reason + ")";
            return new Planned(took, new ProvisionResult.Failed(error, rule.permanent(), log));
        }
        return new Planned(took, new ProvisionResult.Succeeded(
                Map.of("url", "https://sim.invalid/" + request.workspace().text()), log));
    }

    private static final class PresetStream {
        final SplittableRandom random;
        long creates;

        PresetStream(SplittableRandom random) {
            this.random = random;
        }
    }

    /**
     * A stream seed from the seed and the preset name. FNV-1a over the UTF-8 name is stable across JVMs and runs
     * (unlike identity hashes); SplittableRandom mixes the result thoroughly, so nearby seeds give unrelated streams.
     */
    static long mix(long seed, String key) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return seed * 0x9E3779B97F4A7C15L ^ hash;
    }
}
