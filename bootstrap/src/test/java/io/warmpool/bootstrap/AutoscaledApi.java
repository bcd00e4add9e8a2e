package io.warmpool.bootstrap;

import io.warmpool.adapters.http.HttpAddress;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.DryRun;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The real REST API (routes, JSON, dashboard) over use cases that answer one fixed status with autoscaled presets
 * (SPEC R13), each sized by the domain's own {@link Sizing} from a {@link DemandHistory} built here, as a pass
 * sizes them. What the CLI and the dashboard show of an autoscaled preset does not depend on the database adapter
 * keeping demand; this is where they are checked against the API's real answers.
 *
 * <ul>
 *   <li>{@code ml-dev/gpu}: Europe/Berlin, target 0.99 in 0–20; 13 claims in the history's two whole hours but 60 in
 *       the last hour, no build measured (T = 5 min): λ = 60/h for Mon 09:00, a = 5, N = desired = 11.</li>
 *   <li>{@code ml-dev/cpu}: UTC, target 0.95 in 1–5, no history, a window of 3 holding: desired 3, the floor.</li>
 *   <li>{@code go-dev/large}: a fixed pool of 2, both starting: no autoscale, nothing to do.</li>
 * </ul>
 *
 * <p>Use cases the fixture does not need refuse with {@link UnsupportedOperationException} (a 500); the preset
 * history routes answer 404, as a server without history does.
 */
public final class AutoscaledApi implements AutoCloseable {

    public static final String TOKEN = "autoscale-token-5d1e7c";
    /** Monday 2026-03-02 07:58 UTC, 08:58 in Berlin: now + T (5 min) falls in Monday's 09:00 hour there. */
    public static final Instant NOW = Instant.parse("2026-03-02T07:58:00Z");
    public static final PresetId GPU = new PresetId("ml-dev", "v1", "gpu");
    public static final PresetId CPU = new PresetId("ml-dev", "v1", "cpu");
    public static final PresetId LARGE = new PresetId("go-dev", "v1", "large");

    private final RestApi api;

    private AutoscaledApi() {
        StatusReport status = status();
        DryRun dryRun = new DryRun(status.at(), status.paused(), status.presets().stream()
                .map(p -> new DryRun.PresetActions(p.id(), p.actions(), p.state().sizing())).toList(), status.failures());
        InspectUseCase inspect = stub(InspectUseCase.class, (proxy, method, args) -> switch (method.getName()) {
            case "status" -> status;
            case "plan" -> dryRun;
            case "preset" -> status.presets().stream().filter(p -> p.id().ref().equals(args[0])).findFirst()
                    .orElseThrow(() -> new NotFoundException("preset " + args[0] + " does not exist"));
            case "workspaces" -> List.of();
            default -> unsupported(method.getName());
        });
        PresetHistoryUseCase history = stub(PresetHistoryUseCase.class, (proxy, method, args) -> switch (method.getName()) {
            case "lastPass" -> Optional.empty();
            case "activity", "recentBuilds" -> throw new NotFoundException("this server keeps no history");
            default -> unsupported(method.getName());
        });
        PauseReconciliationUseCase pause = stub(PauseReconciliationUseCase.class, (proxy, method, args) ->
                method.getName().equals("isPaused") ? Boolean.FALSE : unsupported(method.getName()));
        api = new RestApi(new HttpAddress("127.0.0.1", 0), new RestApi.UseCases(inspect,
                stub(ApplyPresetsUseCase.class, null), stub(OperatePresetsUseCase.class, null),
                stub(ClaimPrebuildUseCase.class, null), pause, stub(ReleaseWorkspaceUseCase.class, null), history,
                stub(CompleteBuildUseCase.class, null)), TOKEN, ReadinessCheck.ALWAYS,
                new io.warmpool.adapters.http.MetricsExposition() {
                    @Override
                    public String contentType() {
                        return "text/plain; version=0.0.4; charset=utf-8";
                    }

                    @Override
                    public void writeTo(java.io.OutputStream out) {
                    }
                }, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Starts the API on a free loopback port. */
    public static AutoscaledApi start() {
        AutoscaledApi a = new AutoscaledApi();
        a.api.start();
        return a;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String server() {
        return "http://127.0.0.1:" + api.port();
    }

    /** A one-time dashboard sign-in link. */
    public String signInUrl() {
        return server() + "/?code=" + api.newSignInCode().code();
    }

    /** Writes the token to {@code file} (for {@code --token-file}) and returns it. */
    public static Path tokenFile(Path file) throws IOException {
        Files.writeString(file, TOKEN);
        return file;
    }

    @Override
    public void close() {
        api.stop();
    }

    /** The status every call answers; each autoscaled preset's {@link Sizing} as the domain computes it. */
    public static StatusReport status() {
        PrebuildPolicy gpuPolicy = new PrebuildPolicy(0, Duration.ZERO, new PrebuildSchedule(ZoneId.of("Europe/Berlin"),
                List.of())).withAutoscale(new Autoscale(0.99, 0, 20, Duration.ofDays(14)));
        TreeMap<Instant, Integer> hours = new TreeMap<>(Map.of(
                Instant.parse("2026-03-02T05:00:00Z"), 7, Instant.parse("2026-03-02T06:00:00Z"), 6));
        Sizing gpu = Sizing.of(gpuPolicy, new DemandHistory(NOW.minus(Duration.ofHours(3)), hours, 60, List.of()), NOW);
        PrebuildPolicy cpuPolicy = new PrebuildPolicy(0, Duration.ZERO, new PrebuildSchedule(ZoneOffset.UTC,
                List.of(new ScheduleWindow(CronWindow.parse("* * * * *"), 3))))
                .withAutoscale(new Autoscale(0.95, 1, 5, Duration.ofDays(7)));
        Sizing cpu = Sizing.of(cpuPolicy, DemandHistory.NONE, NOW);
        PresetState large = new PresetState(LARGE, NOW, true, 2, List.of(), List.of(), List.of(), List.of(),
                new InFlight(2, 0, 0), FailureState.initial());
        return new StatusReport(NOW, false, List.of(new PresetPlan(large, List.of()), sized(CPU, cpu), sized(GPU, gpu)),
                0, Map.of());
    }

    /** The sizing of {@code preset} in {@link #status()}. */
    public static Sizing sizing(PresetId preset) {
        return status().presets().stream().filter(p -> p.id().equals(preset)).findFirst().orElseThrow().state().sizing();
    }

    private static PresetPlan sized(PresetId id, Sizing sizing) {
        PresetState state = new PresetState(id, NOW, true, sizing.desired(), List.of(), List.of(), List.of(), List.of(),
                InFlight.NONE, FailureState.initial(), List.of(), null, null, sizing);
        return new PresetPlan(state, List.of(new PlanAction.Create(sizing.desired())));
    }

    private static Object unsupported(String method) {
        throw new UnsupportedOperationException(method + " is not part of this fixture");
    }

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type, InvocationHandler answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> type.getSimpleName() + " stub";
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> proxy == args[0];
                };
            }
            return answers == null ? unsupported(method.getName()) : answers.invoke(proxy, method, args);
        });
    }
}
