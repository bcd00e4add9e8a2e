package io.warmpool.adapters.provisioner;

import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Life;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
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
 * <p><b>Life after create</b> ({@link Life}, R10–R12), drawn from a second random stream per preset (seed, then
 * {@code life/template/preset}), so turning it on changes no create's latency or outcome. When a readiness latency
 * or deaths are configured, each create request draws exactly two more numbers from it — its readiness latency,
 * then its time to death — and the provisioner follows each created workspace: it checks {@code starting} until
 * its readiness latency has passed after the create succeeded, then {@code ready}, and from its death on
 * {@link Life#deathStatus()}; a delete forgets it. A workspace it does not follow (none configured, deleted, or
 * created before a restart) checks {@code ready}. A check completes with no latency of its own. Claims reach the
 * simulated infrastructure only when a claim latency or failure rate is set ({@link #supports}); each then draws two
 * numbers from the life stream — its latency, then its failure draw — and succeeds with no outputs. Otherwise a
 * claim is the port's no-op, completed at once. With {@link Life#NONE} nothing of this draws or schedules anything,
 * so runs are exactly what they were before it existed.
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
    /** Guarded by {@code this}: the life stream of each preset. */
    private final Map<String, SplittableRandom> lifeStreams = new HashMap<>();
    /** Guarded by {@code this}: what each followed workspace checks now. */
    private final Map<WorkspaceId, Health> health = new HashMap<>();

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
        return switch (request.transition()) {
            case CREATE, DELETE -> build(request);
            case CHECK -> check(request);
            case CLAIM -> claim(request);
        };
    }

    /** Create, delete and check always; claim when a claim latency or failure rate is configured. */
    @Override
    public boolean supports(Transition transition) {
        return transition != Transition.CLAIM || config.life().claims();
    }

    private CompletionStage<ProvisionResult> build(ProvisionRequest request) {
        Planned planned = plan(request);
        return completeAfter(planned.latency(), () -> {
            follow(request, planned);
            return planned.result();
        });
    }

    private CompletionStage<ProvisionResult> check(ProvisionRequest request) {
        return completeAfter(Duration.ZERO, () -> {
            Health now;
            synchronized (this) {
                now = health.getOrDefault(request.workspace(), Health.READY);
            }
            return ProvisionResult.Checked.of(now, "simulated check of " + request.workspace().text() + ": " + now.wire());
        });
    }

    private CompletionStage<ProvisionResult> claim(ProvisionRequest request) {
        Life life = config.life();
        if (!life.claims()) {
            return CompletableFuture.completedFuture(new ProvisionResult.Succeeded(Map.of(),
                    "simulated provisioner has no claim transition (no claim_latency or claim_failure_rate): no-op"));
        }
        Duration took;
        double failureDraw;
        synchronized (this) {
            SplittableRandom random = lifeStream(request);
            took = draw(random, life.claimLatency());
            failureDraw = random.nextDouble();
        }
        String log = "simulated claim of " + request.workspace().text() + " for " + request.owner() + " took "
                + took.toMillis() + " ms";
        ProvisionResult result = failureDraw < life.claimFailureRate()
                ? new ProvisionResult.Failed("simulated claim failure (claim_failure_rate " + life.claimFailureRate()
                        + ")", false, log)
                : new ProvisionResult.Succeeded(Map.of(), log);
        return completeAfter(took, () -> result);
    }

    private CompletionStage<ProvisionResult> completeAfter(Duration delay, java.util.function.Supplier<ProvisionResult> outcome) {
        CompletableFuture<ProvisionResult> result = new CompletableFuture<>();
        try {
            scheduler.schedule(delay, () -> result.complete(outcome.get()));
        } catch (RejectedExecutionException e) {
            result.complete(new ProvisionResult.Unavailable("simulated provisioner is stopped"));
        }
        return result;
    }

    /**
     * After a build completed: a created workspace is followed through its life (starting, ready, dead), a deleted
     * one forgotten. Only when the config has a life to follow.
     */
    private void follow(ProvisionRequest request, Planned planned) {
        if (!config.life().tracksWorkspaces() || !(planned.result() instanceof ProvisionResult.Succeeded)) {
            return;
        }
        WorkspaceId workspace = request.workspace();
        if (request.transition() == Transition.DELETE) {
            synchronized (this) {
                health.remove(workspace);
            }
            return;
        }
        boolean starting = planned.readiness().compareTo(Duration.ZERO) > 0;
        synchronized (this) {
            health.put(workspace, starting ? Health.STARTING : Health.READY);
        }
        try {
            if (starting) {
                scheduler.schedule(planned.readiness(), () -> move(workspace, Health.STARTING, Health.READY));
            }
            if (planned.lifetime() != null) {
                scheduler.schedule(planned.readiness().plus(planned.lifetime()),
                        () -> move(workspace, Health.READY, config.life().deathStatus()));
            }
        } catch (RejectedExecutionException e) {
            // Stopping: nothing will check it any more.
        }
    }

    private synchronized void move(WorkspaceId workspace, Health from, Health to) {
        health.computeIfPresent(workspace, (w, now) -> now == from ? to : now);
    }

    private SplittableRandom lifeStream(ProvisionRequest request) {
        return lifeStreams.computeIfAbsent(request.preset().ref().toString(),
                key -> new SplittableRandom(mix(seed, "life/" + key)));
    }

    private static Duration draw(SplittableRandom random, Latency latency) {
        long spanMillis = latency.max().toMillis() - latency.min().toMillis();
        return latency.min().plusMillis(random.nextLong(spanMillis + 1));
    }

    /**
     * A planned build.
     *
     * @param readiness for a followed create: how long after success it checks starting
     * @param lifetime  for a followed create that will die: how long after ready; else {@code null}
     */
    private record Planned(Duration latency, ProvisionResult result, Duration readiness, Duration lifetime) {
        Planned(Duration latency, ProvisionResult result) {
            this(latency, result, Duration.ZERO, null);
        }
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
        // The life draws come first, so every create draws them, whatever its outcome.
        Life life = config.life();
        Duration readiness = Duration.ZERO;
        Duration lifetime = null;
        if (life.tracksWorkspaces()) {
            SplittableRandom random = lifeStream(request);
            readiness = draw(random, life.readinessLatency());
            double deathDraw = random.nextDouble();
            lifetime = life.deathsPerHour() > 0
                    ? Duration.ofMillis(Math.round(-Math.log1p(-deathDraw) / life.deathsPerHour() * 3_600_000d)) : null;
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
        ProvisionResult created = new ProvisionResult.Succeeded(
                Map.of("url", "https://sim.invalid/" + request.workspace().text()), log);
        return new Planned(took, created, readiness, lifetime);
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
