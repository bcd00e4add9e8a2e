package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, deletes, checks and hands over workspaces by running configured executables (SPEC §4 {@code command},
 * R10–R12). Create and delete commands are required; without a check command {@link #supports} says no to
 * {@code check} (no readiness or liveness by provisioner, and a check asked anyway is a permanent failure naming
 * {@code --command-check}); without a claim command a claim is a no-op success with no outputs. Neither starts a
 * process.
 *
 * <p><b>How a command is called.</b> The configured argv is run as is ({@link ProcessBuilder}, never a shell), so
 * no request data is ever parsed by a shell. The request reaches the command twice:
 * <ul>
 *   <li>on stdin, as the JSON object documented in {@link io.warmpool.adapters.provisioner the package}, then stdin
 *       is closed (a command need not read it);</li>
 *   <li>as environment variables: {@code WARMPOOL_TRANSITION} ({@code create}, {@code delete}, {@code check} or
 *       {@code claim}),
 *       {@code WARMPOOL_WORKSPACE_ID}, {@code WARMPOOL_WORKSPACE_NAME}, {@code WARMPOOL_OWNER},
 *       {@code WARMPOOL_TEMPLATE}, {@code WARMPOOL_TEMPLATE_VERSION}, {@code WARMPOOL_PRESET},
 *       {@code WARMPOOL_ATTEMPT}, one {@code WARMPOOL_PARAM_<NAME>} per parameter (for a claim: the claim's) and,
 *       for a delete, check or claim, one {@code WARMPOOL_OUTPUT_<NAME>} per output of the create, where {@code <NAME>} is the name with ASCII
 *       letters upper-cased and every other character but ASCII digits replaced by {@code _}. When two names map
 *       to the same variable, or a value contains NUL, that variable is not set and the build log says so (stdin
 *       has the exact names). Variables starting with {@code WARMPOOL_} inherited from the service are removed
 *       first, so the service's own settings (such as a database password) never reach a command.</li>
 * </ul>
 *
 * <p><b>How its result is read.</b>
 * <ul>
 *   <li>exit 0: success. stdout is empty or one JSON object holding the outputs (format in the package doc);
 *       anything else on stdout is a transient failure, since the outputs would be lost. For a claim these are
 *       the outputs merged over the create's (R12).</li>
 *   <li>exit 0 of a check: stdout must be the answer, {@code {"status": "ready" | "starting" | "unhealthy" |
 *       "gone" | "failed"}} (optionally {@code "error"}, and {@code "permanent": true} with {@code "failed"}):
 *       {@link ProvisionResult.Checked}; anything else is a transient failure naming what was wrong.</li>
 *   <li>exit {@link CommandProvisionerConfig#permanentExitCode()} (65 by default), or any non-zero exit with a
 *       stdout object containing {@code "permanent": true}: permanent failure (R5), with the object's
 *       {@code "error"} or else the tail of stderr as the error.</li>
 *   <li>any other exit: transient failure, same error text.</li>
 *   <li>still running after {@link CommandProvisionerConfig#timeout()}: the whole process tree is sent SIGTERM
 *       (descendants first, so parents can reap them), then SIGKILL after the grace period; transient failure.</li>
 *   <li>the executable cannot be started: {@link ProvisionResult.Unavailable} — the provisioner is misconfigured or
 *       missing, which says nothing about the preset (R3).</li>
 * </ul>
 * stdout and stderr are read concurrently while the command runs, so it never blocks on a full pipe, and only
 * their last {@link CommandProvisionerConfig#outputLimitBytes()} each are kept, in the build log.
 *
 * <p><b>Threads.</b> At most {@link CommandProvisionerConfig#maxConcurrent()} commands run at once; further requests
 * wait, in arrival order, without holding a thread. Claim handoffs (R12) have a lane of their own with the same
 * bound: a user waits for them (within the claim timeout), so they never queue behind creates that take minutes. Commands run on this provisioner's own daemon threads, and the
 * stage completes there. {@link #close()} stops it: waiting and running requests complete with
 * {@link ProvisionResult.Unavailable} (their process trees are killed), later ones too.
 */
public final class CommandProvisioner implements WorkspaceProvisionerPort, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProvisioner.class);
    /** Enough of an error for a person to see what went wrong; the full tail is in the log. */
    private static final int ERROR_TAIL_CHARS = 1000;

    private final CommandProvisionerConfig config;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Invocation> waiting = new ConcurrentLinkedQueue<>();
    /** The claims' own lane (see Threads above). */
    private final Semaphore claimPermits;
    private final ConcurrentLinkedQueue<Invocation> claimsWaiting = new ConcurrentLinkedQueue<>();
    private final Set<Invocation> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Starts no thread and no process until the first request. */
    public CommandProvisioner(CommandProvisionerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.permits = new Semaphore(config.maxConcurrent());
        this.claimPermits = new Semaphore(config.maxConcurrent());
        this.executor = Executors.newCachedThreadPool(daemonThreads());
    }

    @Override
    public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
        Invocation invocation = new Invocation(Objects.requireNonNull(request, "request"));
        if (!supports(request.transition())) {
            invocation.result.complete(unsupported(request.transition()));
            return invocation.result;
        }
        if (closed) {
            invocation.result.complete(stopped());
            return invocation.result;
        }
        (isClaim(invocation) ? claimsWaiting : waiting).add(invocation);
        if (closed) {
            // close() may have drained the queue just before our add; don't leave this one behind.
            failWaiting();
        }
        dispatch();
        return invocation.result;
    }

    /** Create and delete always; check and claim when their command is configured. */
    @Override
    public boolean supports(Transition transition) {
        return config.command(Objects.requireNonNull(transition, "transition")) != null;
    }

    /** What an unconfigured transition answers at once (the port's contract): a no-op claim, a check that cannot be. */
    private static ProvisionResult unsupported(Transition transition) {
        return Unsupported.answer(transition, "no claim command configured (--command-claim): the handoff is a no-op",
                "the command provisioner has no check command (--command-check), so it cannot say whether a workspace"
                        + " is ready");
    }

    /** Commands running now (holding a permit), claims not counted. */
    public int runningCount() {
        return config.maxConcurrent() - permits.availablePermits();
    }

    /** Requests waiting for a permit, claims not counted. */
    public int waitingCount() {
        return waiting.size();
    }

    private static boolean isClaim(Invocation invocation) {
        return invocation.request.transition() == Transition.CLAIM;
    }

    /**
     * Stops the provisioner: no new command starts; waiting requests and running commands (their process trees
     * killed) complete with {@link ProvisionResult.Unavailable}. Blocks for at most about twice the kill grace
     * period per running command. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        failWaiting();
        for (Invocation invocation : List.copyOf(running)) {
            Process process;
            synchronized (invocation) {
                invocation.stopped = true;
                process = invocation.process;
            }
            if (process != null) {
                killTree(process, config.killGracePeriod());
            }
        }
        executor.shutdown();
    }

    /** Starts waiting requests while permits are free. Never blocks: a request without a permit stays queued. */
    private void dispatch() {
        dispatch(waiting, permits);
        dispatch(claimsWaiting, claimPermits);
    }

    private void dispatch(ConcurrentLinkedQueue<Invocation> queue, Semaphore lane) {
        while (!queue.isEmpty() && lane.tryAcquire()) {
            Invocation next = queue.poll();
            if (next == null) {
                // Another thread took it; give the permit back and look again (a request may have arrived since).
                lane.release();
                continue;
            }
            try {
                executor.execute(() -> runHoldingPermit(next, lane));
            } catch (RejectedExecutionException e) {
                lane.release();
                next.result.complete(stopped());
            }
        }
    }

    private void failWaiting() {
        for (Invocation invocation; (invocation = waiting.poll()) != null; ) {
            invocation.result.complete(stopped());
        }
        for (Invocation invocation; (invocation = claimsWaiting.poll()) != null; ) {
            invocation.result.complete(stopped());
        }
    }

    private void runHoldingPermit(Invocation invocation, Semaphore lane) {
        ProvisionResult result;
        running.add(invocation);
        try {
            result = run(invocation);
        } catch (RuntimeException e) {
            result = new ProvisionResult.Failed("command provisioner error: " + e, false, "");
        } finally {
            running.remove(invocation);
            lane.release();
        }
        // Start the next command before completing: the caller's continuation runs on this thread.
        dispatch();
        invocation.result.complete(result);
    }

    private ProvisionResult run(Invocation invocation) {
        ProvisionRequest request = invocation.request;
        List<String> argv = config.command(request.transition());
        String program = argv.get(0);
        StringBuilder notes = new StringBuilder();
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("WARMPOOL_"));
        environment.putAll(config.environment());
        environment.putAll(requestEnvironment(request, notes));
        if (config.workingDirectory() != null) {
            builder.directory(config.workingDirectory().toFile());
        }
        byte[] stdin = ProvisionerJson.request(request);
        BoundedTail out = new BoundedTail(config.outputLimitBytes());
        BoundedTail err = new BoundedTail(config.outputLimitBytes());
        Process process;
        Future<?> outPump;
        Future<?> errPump;
        // Start and pumps under the invocation's lock, so close() either sees the process or we see it stopped.
        synchronized (invocation) {
            if (closed || invocation.stopped) {
                return stopped();
            }
            try {
                process = builder.start();
            } catch (IOException e) {
                LOG.warn("cannot start " + program + ": " + e.getMessage());
                return new ProvisionResult.Unavailable("cannot start " + program + ": " + e.getMessage());
            }
            invocation.process = process;
            outPump = executor.submit(() -> pump(process.getInputStream(), out));
            errPump = executor.submit(() -> pump(process.getErrorStream(), err));
            executor.execute(() -> feed(process.getOutputStream(), stdin));
        }
        LOG.atDebug().log(() -> "started " + program + " for " + request.transition().wire() + " of " + request.workspace()
                + " (pid " + process.pid() + ")");
        boolean exited;
        try {
            exited = process.waitFor(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(process, config.killGracePeriod());
            return new ProvisionResult.Unavailable("interrupted while " + program + " ran");
        }
        if (!exited) {
            LOG.warn(program + " for " + request.transition().wire() + " of " + request.workspace()
                    + " timed out after " + config.timeout() + "; killing its process tree");
            killTree(process, config.killGracePeriod());
            awaitPumps(outPump, errPump, config.killGracePeriod());
            if (invocation.stopped) {
                return stopped();
            }
            String tail = errorTail(err);
            return new ProvisionResult.Failed("timed out after " + config.timeout() + "; process tree killed"
                    + (tail.isEmpty() ? "" : ": " + tail), false,
                    log(program, "killed after timeout " + config.timeout(), out, err, notes));
        }
        boolean drained = awaitPumps(outPump, errPump, config.killGracePeriod());
        if (invocation.stopped) {
            return stopped();
        }
        return interpret(request.transition(), program, process.exitValue(), out, err, drained, notes);
    }

    private ProvisionResult interpret(Transition transition, String program, int code, BoundedTail out,
                                      BoundedTail err, boolean drained, StringBuilder notes) {
        String log = log(program, "exit code " + code, out, err, notes);
        if (transition == Transition.CHECK && drained && code == 0) {
            return checked(out, log);
        }
        if (!drained) {
            return new ProvisionResult.Failed("exited with code " + code + " but a process it started still holds its"
                    + " stdout or stderr open, so its output is incomplete (redirect the output of background"
                    + " processes)", false, log);
        }
        if (code == 0) {
            if (out.truncated()) {
                return new ProvisionResult.Failed("exited with code 0 but printed " + out.total() + " bytes on stdout,"
                        + " more than the " + config.outputLimitBytes() + " kept; stdout must be empty or a small JSON"
                        + " object of outputs", false, log);
            }
            try {
                return new ProvisionResult.Succeeded(ProvisionerJson.reply(out.text()).outputs(), log);
            } catch (IllegalArgumentException e) {
                return new ProvisionResult.Failed("exited with code 0 but its stdout is " + e.getMessage()
                        + "; it must be empty or one JSON object of outputs", false, log);
            }
        }
        ProvisionerJson.Reply reply = out.truncated() ? null : ProvisionerJson.replyOrNull(out.text());
        boolean permanent = code == config.permanentExitCode() || (reply != null && reply.permanent());
        String detail = reply != null && reply.error() != null && !reply.error().isBlank()
                ? clip(reply.error().strip()) : errorTail(err);
        return new ProvisionResult.Failed("exited with code " + code + (detail.isEmpty() ? "" : ": " + detail),
                permanent, log);
    }

    /** A check that exited 0: its stdout must be the answer. */
    private ProvisionResult checked(BoundedTail out, String log) {
        if (out.truncated()) {
            return new ProvisionResult.Failed("check exited with code 0 but printed " + out.total() + " bytes on stdout,"
                    + " more than the " + config.outputLimitBytes() + " kept; stdout must be "
                    + ProvisionerJson.CHECK_SHAPE, false, log);
        }
        try {
            return ProvisionerJson.check(out.text(), log);
        } catch (IllegalArgumentException e) {
            return new ProvisionResult.Failed("check exited with code 0 but its stdout is " + e.getMessage()
                    + "; it must be " + ProvisionerJson.CHECK_SHAPE, false, log);
        }
    }

    /** The request as WARMPOOL_* variables (see the class doc); what could not be set is noted for the log. */
    static Map<String, String> requestEnvironment(ProvisionRequest request, StringBuilder notes) {
        Map<String, String> env = new TreeMap<>();
        putChecked(env, "WARMPOOL_TRANSITION", request.transition().wire(), notes);
        putChecked(env, "WARMPOOL_WORKSPACE_ID", request.workspace().text(), notes);
        putChecked(env, "WARMPOOL_WORKSPACE_NAME", nullToEmpty(request.workspaceName()), notes);
        putChecked(env, "WARMPOOL_OWNER", nullToEmpty(request.owner()), notes);
        putChecked(env, "WARMPOOL_TEMPLATE", request.preset().template(), notes);
        putChecked(env, "WARMPOOL_TEMPLATE_VERSION", request.preset().version(), notes);
        putChecked(env, "WARMPOOL_PRESET", request.preset().preset(), notes);
        putChecked(env, "WARMPOOL_ATTEMPT", Integer.toString(request.attempt()), notes);
        putPrefixed(env, "WARMPOOL_PARAM_", "parameters", request.parameters(), notes);
        putPrefixed(env, "WARMPOOL_OUTPUT_", "outputs", request.outputs(), notes);
        return env;
    }

    /** {@code cpu-count} → {@code CPU_COUNT}: ASCII letters upper-cased, ASCII digits kept, anything else {@code _}. */
    static String variableSuffix(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'a' && c <= 'z') {
                out.append((char) (c - 'a' + 'A'));
            } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                out.append(c);
            } else {
                out.append('_');
            }
        }
        return out.toString();
    }

    private static void putPrefixed(Map<String, String> env, String prefix, String what, Map<String, String> values,
                                    StringBuilder notes) {
        Map<String, List<String>> byVariable = new TreeMap<>(values.keySet().stream()
                .collect(Collectors.groupingBy(name -> prefix + variableSuffix(name))));
        byVariable.forEach((variable, names) -> {
            if (names.size() > 1) {
                // Picking one would be a silent guess; stdin has them all under their exact names.
                notes.append("note: ").append(what).append(' ').append(names.stream().sorted().map(n -> "'" + n + "'")
                        .collect(Collectors.joining(", "))).append(" all map to ").append(variable)
                        .append(", which is therefore not set; read them from the JSON on stdin\n");
            } else {
                putChecked(env, variable, values.get(names.get(0)), notes);
            }
        });
    }

    private static void putChecked(Map<String, String> env, String variable, String value, StringBuilder notes) {
        if (value.indexOf('\0') >= 0) {
            notes.append("note: ").append(variable).append(" is not set: its value contains NUL\n");
        } else {
            env.put(variable, value);
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static void pump(InputStream stream, BoundedTail into) {
        byte[] buffer = new byte[8192];
        try (InputStream in = stream) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                into.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // The stream was closed under us (process killed): what we have is all there is.
        }
    }

    private static void feed(OutputStream stream, byte[] data) {
        try (OutputStream out = stream) {
            out.write(data);
        } catch (IOException e) {
            // A command need not read its stdin; a broken pipe here is not an error.
        }
    }

    /** Waits up to {@code limit} for both pumps; {@code false} when the streams are still open. */
    private static boolean awaitPumps(Future<?> outPump, Future<?> errPump, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            outPump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            errPump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills {@code process} and every descendant: SIGTERM to the descendants while the process still lives (once
     * it dies they are re-parented out of sight), swept again until no new one appears, then SIGTERM to the
     * process; SIGKILL to whatever is still alive after {@code grace}. A descendant forked between the last sweep
     * and the parent's death can escape; only a process group or cgroup could close that window, which the JDK
     * does not offer.
     */
    static void killTree(Process process, Duration grace) {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        for (int sweep = 0; sweep < 5; sweep++) {
            List<ProcessHandle> found = process.descendants().filter(handle -> !tree.contains(handle)).toList();
            if (found.isEmpty()) {
                break;
            }
            found.forEach(ProcessHandle::destroy);
            tree.addAll(found);
        }
        process.destroy();
        tree.add(process.toHandle());
        if (!awaitExit(List.copyOf(tree), grace)) {
            for (ProcessHandle handle : List.copyOf(tree)) {
                if (handle.isAlive()) {
                    tree.addAll(handle.descendants().toList());
                }
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitExit(List.copyOf(tree), grace);
        }
    }

    /**
     * Waits until none of {@code handles} is alive, for at most {@code limit}. Polls instead of using
     * {@link ProcessHandle#onExit()}: for processes that are not our children the JDK polls too, but starting at
     * 300 ms, which would add seconds to every timeout.
     */
    private static boolean awaitExit(List<ProcessHandle> handles, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseMillis = 5;
        while (handles.stream().anyMatch(ProcessHandle::isAlive)) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(pauseMillis, remainingMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pauseMillis = Math.min(pauseMillis * 2, 100);
        }
        return true;
    }

    private String log(String program, String status, BoundedTail out, BoundedTail err, StringBuilder notes) {
        return "command: " + program + "\n" + status + "\n" + notes
                + "--- stdout (" + describe(out) + ") ---\n" + out.text()
                + "\n--- stderr (" + describe(err) + ") ---\n" + err.text();
    }

    private String describe(BoundedTail tail) {
        return tail.total() + " bytes" + (tail.truncated() ? ", last " + config.outputLimitBytes() + " kept" : "");
    }

    private static String errorTail(BoundedTail err) {
        return clip(err.text().strip());
    }

    private static String clip(String text) {
        return text.length() <= ERROR_TAIL_CHARS ? text : "…" + text.substring(text.length() - ERROR_TAIL_CHARS);
    }

    private static ProvisionResult stopped() {
        return new ProvisionResult.Unavailable("command provisioner is stopped");
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "warmpool-command-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One request on its way through the queue; guarded by its own monitor for start versus close. */
    private static final class Invocation {
        final ProvisionRequest request;
        final CompletableFuture<ProvisionResult> result = new CompletableFuture<>();
        Process process;
        volatile boolean stopped;

        Invocation(ProvisionRequest request) {
            this.request = request;
        }
    }
}
