package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.http.HttpLimits;
import io.warmpool.adapters.http.MetricsExposition;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.adapters.provisioner.CommandProvisioner;
import io.warmpool.adapters.provisioner.HttpProvisioner;
import io.warmpool.adapters.provisioner.SimulatedProvisioner;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import io.warmpool.bootstrap.wiring.HttpApiModule;
import io.warmpool.bootstrap.wiring.HttpServerSettings;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The injector builds for every adapter combination, and every use case and the service can be built. Nothing is started. */
class InjectorSmokeTest {

    @TempDir
    Path dir;

    static Stream<Arguments> combinations() {
        return Stream.of(
                Arguments.of(false, "simulated", SimulatedProvisioner.class),
                Arguments.of(false, "command", CommandProvisioner.class),
                Arguments.of(false, "http", HttpProvisioner.class),
                Arguments.of(true, "simulated", SimulatedProvisioner.class),
                Arguments.of(true, "command", CommandProvisioner.class),
                Arguments.of(true, "http", HttpProvisioner.class));
    }

    private Config config(boolean external, String provisioner) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.STATE_DIR, dir.toString());
        flags.put(Setting.PROVISIONER, provisioner);
        flags.put(Setting.SEED, "1");
        flags.put(Setting.COMMAND_CREATE, "[\"/bin/true\"]");
        flags.put(Setting.COMMAND_DELETE, "[\"/bin/true\"]");
        flags.put(Setting.HTTP_PROVISIONER_URL, "http://127.0.0.1:9/provision");
        flags.put(Setting.HTTP_PROVISIONER_SECRET, "0123456789abcdef0123456789abcdef");
        if (external) {
            flags.put(Setting.DB_URL, "jdbc:postgresql://127.0.0.1:5432/warmpool");
        }
        return Config.load(flags, Map.of(), null);
    }

    @ParameterizedTest(name = "external database {0}, provisioner {1}")
    @MethodSource("combinations")
    void theInjectorBuildsAndProvidesEveryUseCase(boolean external, String provisioner, Class<?> expected) {
        Injector injector = Guice.createInjector(Stage.DEVELOPMENT, Composition.modules(Settings.from(config(external, provisioner)), "token"));
        for (Class<?> useCase : List.of(ReconcilePresetsUseCase.class, RunProvisionerJobsUseCase.class, ClaimPrebuildUseCase.class,
                ApplyPresetsUseCase.class, OperatePresetsUseCase.class, PauseReconciliationUseCase.class,
                ReleaseWorkspaceUseCase.class, InspectUseCase.class, ApiServer.class, MetricsPort.class, EventSinkPort.class,
                ReadinessCheck.class, MetricsExposition.class)) {
            // createInjector has checked the whole graph; this checks each use case is bound by a module (an explicit
            // binding), not left to a just-in-time binding, and that it can be built before the database starts.
            assertThat(injector.getExistingBinding(Key.get(useCase))).as(useCase.getSimpleName()).isNotNull();
            assertThat(injector.getInstance(useCase)).as(useCase.getSimpleName()).isInstanceOf(useCase);
        }
        assertThat(injector.getInstance(WorkspaceProvisionerPort.class)).isInstanceOf(expected);
        assertThat(injector.getInstance(PostgresDatabase.class)).isNotNull();
        assertThat(injector.getInstance(PostgresDatabase.class)).isSameAs(injector.getInstance(PostgresDatabase.class));
    }

    @ParameterizedTest(name = "external database {0}, provisioner {1}")
    @MethodSource("combinations")
    void theServiceIsBuiltWithItsPartsInStartOrder_andNothingStarts(boolean external, String provisioner, Class<?> expected) {
        WarmpoolService service = Composition.service(config(external, provisioner), new PrintStream(OutputStream.nullOutputStream()), false);

        assertThat(service.parts()).extracting(Object::toString).containsExactly("database", "presets at start",
                "provisioner (" + provisioner + ")", "timer", "workers", "waiting claims", "API", "reconcile loop", "live view ticker");
        assertThatThrownBy(service::apiAddress).hasMessageContaining("not started");
        service.close(); // nothing started: nothing to stop
    }

    @Test
    void theApiModule_installsWithoutAnyDatabaseModule() {
        // What HttpApiModule needs from elsewhere: the use cases, a clock, readiness, a scrape and the public URL. No
        // PostgreSQL.
        AbstractModule elsewhere = new AbstractModule() {
            @Override
            protected void configure() {
                for (Class<?> useCase : List.of(InspectUseCase.class, ApplyPresetsUseCase.class, OperatePresetsUseCase.class,
                        ClaimPrebuildUseCase.class, PauseReconciliationUseCase.class, ReleaseWorkspaceUseCase.class,
                        PresetHistoryUseCase.class, io.warmpool.application.port.in.CompleteBuildUseCase.class,
                        io.warmpool.application.port.in.MarkReadyUseCase.class)) {
                    bindUnused(useCase);
                }
                // The URL agents call (R10), told the listening address when the API starts (CoreModule's).
                bind(io.warmpool.bootstrap.wiring.PublicBaseUrl.class).toInstance(new io.warmpool.bootstrap.wiring.PublicBaseUrl(
                        java.util.Optional.empty(), InetSocketAddress.createUnresolved("127.0.0.1", 0)));
                bind(Clock.class).toInstance(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
                bind(ReadinessCheck.class).toInstance(ReadinessCheck.ALWAYS);
                bind(MetricsExposition.class).toInstance(new MetricsExposition() {
                    @Override
                    public String contentType() {
                        return "text/plain";
                    }

                    @Override
                    public void writeTo(OutputStream out) {
                    }
                });
            }

            private <T> void bindUnused(Class<T> type) {
                bind(type).toInstance(type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "toString" -> type.getSimpleName();
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> throw new UnsupportedOperationException(method.getName());
                        })));
            }
        };

        Injector injector = Guice.createInjector(Stage.DEVELOPMENT, elsewhere, new HttpApiModule(
                new InetSocketAddress("127.0.0.1", 0), new HttpServerSettings(HttpLimits.defaults(), List.of()), "token"));

        assertThat(injector.getInstance(RestApi.class)).isNotNull();
        assertThat(injector.getAllBindings().keySet()).as("no binding of a database type")
                .noneMatch(key -> key.getTypeLiteral().getRawType().getName().startsWith("io.warmpool.adapters.db."));
    }

    @Test
    void aCommandProvisionerWithAShellStringIsRejectedNamingTheSetting() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PROVISIONER, "command");
        flags.put(Setting.COMMAND_CREATE, "./create.sh --all");
        flags.put(Setting.COMMAND_DELETE, "[\"./delete.sh\"]");
        Settings settings = Settings.from(Config.load(flags, Map.of(), null));
        assertThatThrownBy(() -> Composition.modules(settings, "t")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--command-create").hasMessageContaining("argv, never a shell string");
    }

    @Test
    void anHttpProvisionerWithoutASecretIsRejected_andTheSecretNeverAppears() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PROVISIONER, "http");
        flags.put(Setting.HTTP_PROVISIONER_URL, "http://127.0.0.1:9/");
        Settings settings = Settings.from(Config.load(flags, Map.of(), null));
        assertThatThrownBy(() -> Composition.modules(settings, "t")).hasMessageContaining("--http-provisioner-secret");
        flags.put(Setting.HTTP_PROVISIONER_SECRET, "short-xyz1");
        Settings weak = Settings.from(Config.load(flags, Map.of(), null));
        assertThatThrownBy(() -> Composition.modules(weak, "t")).satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-xyz1"));
    }

    @Test
    void everyBadSettingIsReportedAtOnce() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.WORKERS, "0");
        flags.put(Setting.HTTP_ADDR, "nowhere");
        flags.put(Setting.BACKOFF_MULTIPLIER, "0.5");
        flags.put(Setting.BACKOFF_POLICY, "exponential");
        assertThatThrownBy(() -> Settings.from(Config.load(flags, Map.of(), null))).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(3))
                .hasMessageContaining("--workers").hasMessageContaining("--http-addr").hasMessageContaining("backoff-multiplier");
    }

    @Test
    void replicasGivenTheSameSeed_makeDifferentWorkspaceIds() {
        // Replicas sharing one configuration (or one replica restarted) with --seed: the seed makes the simulated
        // provisioner and the jitter reproducible, but workspace ids must never repeat across processes, or a
        // restarted replica's creates collide with the rows it made before (found by the reliability suite).
        Settings settings = Settings.from(config(true, "simulated"));
        IdGeneratorPort first = Guice.createInjector(Stage.DEVELOPMENT, Composition.modules(settings, "t")).getInstance(IdGeneratorPort.class);
        IdGeneratorPort second = Guice.createInjector(Stage.DEVELOPMENT, Composition.modules(settings, "t")).getInstance(IdGeneratorPort.class);
        java.util.Set<Object> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(first.newWorkspaceId());
            ids.add(second.newWorkspaceId());
        }
        assertThat(ids).hasSize(2000);
    }

    @Test
    void settingsNeverPrintTheirSecrets() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.DB_URL, "jdbc:postgresql://db/warmpool");
        flags.put(Setting.DB_PASSWORD, "hunter2-password");
        flags.put(Setting.TOKEN, "secret-token-value");
        assertThat(Settings.from(Config.load(flags, Map.of(), null)).toString())
                .doesNotContain("hunter2-password").doesNotContain("secret-token-value").contains("***");
    }
}
