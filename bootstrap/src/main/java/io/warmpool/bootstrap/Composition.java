package io.warmpool.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.Stage;
import io.warmpool.adapters.db.PostgresModule;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.adapters.provisioner.CommandProvisionerConfig;
import io.warmpool.adapters.provisioner.HmacSecret;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.application.wiring.ApplicationModule;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.config.SimulatedProvisionerYaml;
import io.warmpool.bootstrap.config.YamlText;
import io.warmpool.bootstrap.logging.Logs;
import io.warmpool.bootstrap.runtime.ApiToken;
import io.warmpool.bootstrap.runtime.LiveView;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import io.warmpool.bootstrap.wiring.CommandProvisionerModule;
import io.warmpool.bootstrap.wiring.CoreModule;
import io.warmpool.bootstrap.wiring.EmbeddedDatabaseModule;
import io.warmpool.bootstrap.wiring.ExternalDatabaseModule;
import io.warmpool.bootstrap.wiring.HttpApiModule;
import io.warmpool.bootstrap.wiring.HttpProvisionerModule;
import io.warmpool.bootstrap.wiring.MetricsModule;
import io.warmpool.bootstrap.wiring.ServiceModule;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.bootstrap.wiring.SimulatedProvisionerModule;
import io.warmpool.bootstrap.wiring.TerraformProvisionerModule;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The composition root: chooses the adapters by which Guice modules it installs (no conditionals inside
 * modules) and makes the one injector of the process. The simulator composes the same modules with virtual time
 * overriding what it replaces (simulate/Simulation), and the application tests the same ApplicationModule.
 */
public final class Composition {

    private Composition() {
    }

    /** The modules for {@code settings}: core, the application, one database module, its ports, one provisioner, the metrics, the API. */
    public static List<Module> modules(Settings settings, String token) {
        Config c = settings.config();
        int pool = poolSize(settings);
        List<Module> modules = new ArrayList<>();
        modules.add(new CoreModule(settings));
        modules.add(new ApplicationModule());
        modules.add(settings.dbUrl().isPresent()
                ? new ExternalDatabaseModule(settings.dbUrl().get(), settings.dbUser().orElse(null), settings.dbPassword().orElse(null), pool)
                : new EmbeddedDatabaseModule(settings.stateDir(), pool, new EmbeddedPostgresServer.Options(
                        EmbeddedPostgresServer.Durability.DURABLE, settings.embeddedDbRecoveryTimeout())));
        modules.add(new PostgresModule());
        modules.add(switch (settings.provisioner()) {
            case COMMAND -> new CommandProvisionerModule(commandConfig(c, settings.workers()));
            case HTTP -> new HttpProvisionerModule(httpConfig(c), settings.seed());
            case SIMULATED -> new SimulatedProvisionerModule(simulatedConfig(c), settings.seed());
            case TERRAFORM -> new TerraformProvisionerModule(terraformSettings(c, settings));
        });
        modules.add(new MetricsModule());
        modules.add(new HttpApiModule(settings.httpAddr(), settings.http(), token));
        return modules;
    }

    /**
     * The size of the service's database connection pool: a connection per worker and 8 for the pass, the API and
     * the claims (12 at the defaults). Borrowers queue in arrival order (adapters-db's FairConnectionProvider), so a
     * pool smaller than the number of concurrent requests keeps PostgreSQL's backends from contending for the
     * cores instead (measured in docs/benchmarks.md: 12 beat 16 and 24 at 32 concurrent claims on 2 cores).
     */
    public static int poolSize(Settings settings) {
        return settings.workers() + 8;
    }

    /** Builds the service for {@code config}; nothing is started yet. */
    public static WarmpoolService service(Config config, PrintStream out, boolean terminal) {
        Settings settings = Settings.from(config);
        String token = settings.token().orElseGet(() -> {
            try {
                return ApiToken.loadOrCreate(settings.stateDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store the API token under " + settings.stateDir() + ": " + e.getMessage(), e);
            }
        });
        String banner = "warmpool · API on " + settings.http().scheme() + "://" + settings.httpAddr().getHostString() + ":" + settings.httpAddr().getPort()
                + " · provisioner " + settings.provisioner()
                + " · database " + (settings.dbUrl().isPresent() ? "external" : "embedded under " + settings.stateDir());
        List<Module> modules = new ArrayList<>(modules(settings, token));
        LiveView view = new LiveView(out, terminal, banner);
        if (terminal) {
            Logs.tee(view::logged);
        }
        modules.add(new ServiceModule(view, replicaName()));
        return Guice.createInjector(Stage.DEVELOPMENT, modules).getInstance(WarmpoolService.class);
    }

    static String replicaName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "replica");
        return host + "-" + ProcessHandle.current().pid();
    }

    static SimulatedProvisionerConfig simulatedConfig(Config c) {
        return c.text(Setting.SIMULATED_CONFIG).map(t -> c.path(Setting.SIMULATED_CONFIG)).filter(Files::isRegularFile)
                .map(SimulatedProvisionerYaml::read)
                .orElse(SimulatedProvisionerConfig.DEFAULT);
    }

    /** The command provisioner's settings; at most {@code workers} commands at once unless told otherwise. */
    static CommandProvisionerConfig commandConfig(Config c, int workers) {
        List<String> create = argv(c, Setting.COMMAND_CREATE);
        List<String> delete = argv(c, Setting.COMMAND_DELETE);
        int maxConcurrent = c.text(Setting.COMMAND_MAX_CONCURRENT).isPresent()
                ? c.integer(Setting.COMMAND_MAX_CONCURRENT, 1, 1024) : workers;
        try {
            return CommandProvisionerConfig.of(create, delete).withTimeout(c.positiveDuration(Setting.COMMAND_TIMEOUT),
                    java.time.Duration.ofSeconds(10)).withMaxConcurrent(maxConcurrent)
                    .withCheckCommand(c.text(Setting.COMMAND_CHECK).isPresent() ? argv(c, Setting.COMMAND_CHECK) : null)
                    .withClaimCommand(c.text(Setting.COMMAND_CLAIM).isPresent() ? argv(c, Setting.COMMAND_CLAIM) : null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of("command provisioner: " + e.getMessage()));
        }
    }

    /** The terraform provisioner's settings; at most {@code --workers} Terraform processes at once (claims aside). */
    static TerraformProvisionerModule.TerraformSettings terraformSettings(Config c, Settings settings) {
        // Optional: templates may name their own module (terraform: {module: DIR} in the presets file).
        Path module = c.text(Setting.TERRAFORM_MODULE).map(t -> c.path(Setting.TERRAFORM_MODULE)).orElse(null);
        if (module != null && !Files.isDirectory(module)) {
            throw c.problem(Setting.TERRAFORM_MODULE, "must be a directory holding a Terraform root module, got '" + module + "'");
        }
        String schema = c.string(Setting.TERRAFORM_STATE_SCHEMA);
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw c.problem(Setting.TERRAFORM_STATE_SCHEMA, "must be a lower-case SQL identifier (letters, digits, _), got '" + schema + "'");
        }
        return new TerraformProvisionerModule.TerraformSettings(c.string(Setting.TERRAFORM_BINARY),
                module == null ? null : module.toAbsolutePath(),
                settings.stateDir().resolve("terraform").toAbsolutePath(), schema, c.positiveDuration(Setting.TERRAFORM_TIMEOUT),
                settings.workers());
    }

    static HttpProvisionerConfig httpConfig(Config c) {
        String url = c.text(Setting.HTTP_PROVISIONER_URL).orElseThrow(() ->
                c.problem(Setting.HTTP_PROVISIONER_URL, "is required with --provisioner http"));
        String secret = c.secret(Setting.HTTP_PROVISIONER_SECRET).orElseThrow(() ->
                c.problem(Setting.HTTP_PROVISIONER_SECRET, "(or --http-provisioner-secret-file) is required with --provisioner http"));
        int attempts = c.integer(Setting.HTTP_PROVISIONER_MAX_ATTEMPTS, 1, 10);
        try {
            HttpProvisionerConfig config = HttpProvisionerConfig.of(URI.create(url), HmacSecret.ofBytes(secret.getBytes(StandardCharsets.UTF_8)));
            return config.withRetry(config.retry().withMaxAttempts(attempts)).withTimeouts(new HttpProvisionerConfig.Timeouts(
                    c.positiveDuration(Setting.CREATE_TIMEOUT), c.positiveDuration(Setting.DELETE_TIMEOUT),
                    c.positiveDuration(Setting.CHECK_TIMEOUT), c.positiveDuration(Setting.CLAIM_TIMEOUT)))
                    .withPublicUrl(publicUrl(c))
                    .withTransitions(httpTransitions(c));
        } catch (IllegalArgumentException e) {
            // Never echo the secret: the adapter's messages name fields only.
            throw new ConfigException(List.of("http provisioner: " + e.getMessage()));
        }
    }

    /** {@code --http-provisioner-transitions}: a comma-separated list of transitions, create and delete among them. */
    static java.util.Set<io.warmpool.application.port.out.Transition> httpTransitions(Config c) {
        String text = c.string(Setting.HTTP_PROVISIONER_TRANSITIONS);
        java.util.Set<io.warmpool.application.port.out.Transition> out = java.util.EnumSet.noneOf(
                io.warmpool.application.port.out.Transition.class);
        for (String part : text.split(",", -1)) {
            String name = part.strip();
            io.warmpool.application.port.out.Transition t = java.util.Arrays.stream(
                            io.warmpool.application.port.out.Transition.values())
                    .filter(v -> v.wire().equals(name)).findFirst()
                    .orElseThrow(() -> c.problem(Setting.HTTP_PROVISIONER_TRANSITIONS, "must list transitions among "
                            + "create, delete, check, claim, separated by commas; '" + name + "' is not one"));
            out.add(t);
        }
        if (!out.contains(io.warmpool.application.port.out.Transition.CREATE)
                || !out.contains(io.warmpool.application.port.out.Transition.DELETE)) {
            throw c.problem(Setting.HTTP_PROVISIONER_TRANSITIONS, "must include create and delete (every receiver "
                    + "handles them), got '" + text + "'");
        }
        return out;
    }

    /**
     * {@code --public-url} (checked by {@link Settings#publicUrl}), or {@code http://<http-addr>} when it is not given
     * ({@code https://} with {@code --tls-cert}).
     */
    static URI publicUrl(Config c) {
        String scheme = c.text(Setting.TLS_CERT).isPresent() ? "https://" : "http://";
        return URI.create(Settings.publicUrl(c).orElseGet(() -> scheme + c.string(Setting.HTTP_ADDR)));
    }

    /** An argv list, written as a YAML/JSON list: {@code ["./create.sh", "--flag"]}. Never split on spaces. */
    static List<String> argv(Config c, Setting s) {
        String text = c.text(s).orElseThrow(() -> c.problem(s, "is required with --provisioner command"));
        Object parsed;
        try {
            parsed = YamlText.load(text, s.flag());
        } catch (RuntimeException e) {
            throw c.problem(s, "must be a list such as [\"./create.sh\", \"--verbose\"]");
        }
        if (!(parsed instanceof List<?> list) || list.isEmpty() || list.stream().anyMatch(v -> v == null || v instanceof Map)) {
            throw c.problem(s, "must be a non-empty list such as [\"./create.sh\", \"--verbose\"] (argv, never a shell string)");
        }
        return list.stream().map(String::valueOf).toList();
    }
}
