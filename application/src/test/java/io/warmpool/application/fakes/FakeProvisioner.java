package io.warmpool.application.fakes;

import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A provisioner whose answers the test decides. Each call takes the next scripted answer ({@link #willReturn},
 * {@link #willThrow}, {@link #willCompleteExceptionally}); when the script is empty it uses the
 * {@link #answerAll default answer}, and without one it leaves the call pending: the test completes it by hand
 * through {@link #lastCall()} — the way a slow real provisioner behaves.
 */
public final class FakeProvisioner implements WorkspaceProvisionerPort {

    /** One call and the stage handed back for it. */
    public static final class Call {
        private final ProvisionRequest request;
        private final CompletableFuture<ProvisionResult> result = new CompletableFuture<>();

        Call(ProvisionRequest request) {
            this.request = request;
        }

        public ProvisionRequest request() {
            return request;
        }

        public boolean isDone() {
            return result.isDone();
        }

        public void complete(ProvisionResult r) {
            if (!result.complete(r)) {
                throw new IllegalStateException("call for " + request.workspace() + " was already completed");
            }
        }

        public void succeed(Map<String, String> outputs) {
            complete(new ProvisionResult.Succeeded(outputs, "ok"));
        }

        public void fail(String error) {
            complete(new ProvisionResult.Failed(error, false, "log of " + error));
        }

        public void completeExceptionally(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final Deque<Function<Call, CompletionStage<ProvisionResult>>> script = new ArrayDeque<>();
    private Function<ProvisionRequest, ProvisionResult> answerAll;

    @Override
    public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
        Call call = new Call(request);
        Function<Call, CompletionStage<ProvisionResult>> next;
        Function<ProvisionRequest, ProvisionResult> fallback;
        synchronized (this) {
            calls.add(call);
            next = script.poll();
            fallback = answerAll;
        }
        if (next != null) {
            return next.apply(call);
        }
        if (fallback != null) {
            call.complete(fallback.apply(request));
        }
        return call.result;
    }

    /** The next call completes at once with {@code result}. */
    public synchronized FakeProvisioner willReturn(ProvisionResult result) {
        script.add(call -> {
            call.complete(result);
            return call.result;
        });
        return this;
    }

    /** The next call throws {@code error} instead of returning a stage (breaking the port's contract). */
    public synchronized FakeProvisioner willThrow(RuntimeException error) {
        script.add(call -> {
            throw error;
        });
        return this;
    }

    /** The next call returns a stage that completes exceptionally with {@code error}. */
    public synchronized FakeProvisioner willCompleteExceptionally(Throwable error) {
        script.add(call -> {
            call.completeExceptionally(error);
            return call.result;
        });
        return this;
    }

    /** Unscripted calls complete at once with {@code answer(request)}; {@code null} leaves them pending again. */
    public synchronized FakeProvisioner answerAll(Function<ProvisionRequest, ProvisionResult> answer) {
        this.answerAll = answer;
        return this;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized Call lastCall() {
        if (calls.isEmpty()) {
            throw new IllegalStateException("the provisioner was never called");
        }
        return calls.get(calls.size() - 1);
    }

    public synchronized List<ProvisionRequest> requests() {
        return calls.stream().map(Call::request).toList();
    }

    /** Succeeds with the workspace id as its only output, so a test can tell which create produced what. */
    public static ProvisionResult succeededFor(ProvisionRequest request) {
        return new ProvisionResult.Succeeded(Map.of("url", "https://ws/" + request.workspace()), "created");
    }

    public static ProvisionResult transientFailure(String error) {
        return new ProvisionResult.Failed(error, false, "");
    }

    public static ProvisionResult permanentFailure(String error) {
        return new ProvisionResult.Failed(error, true, "");
    }
}
