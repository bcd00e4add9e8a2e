package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.provisioner.TerraformProvisioner;
import io.warmpool.adapters.provisioner.TerraformModules;
import io.warmpool.adapters.provisioner.TerraformProvisionerConfig;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.runtime.Lifecycle;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * Provides the terraform {@link WorkspaceProvisionerPort} (issue 16) and its {@link ProvisionerLifecycle}: stopping
 * closes it. Its {@code pg} backend is warmpool's own database, the embedded one or {@code --db-url}: the connection
 * is handed to the adapter as a plain libpq connection string ({@link #libpq}), read once the database has started.
 */
public final class TerraformProvisionerModule extends AbstractModule {

    /**
     * The settings of the terraform provisioner, as parsed by the composition root.
     *
     * @param module the default module, or {@code null} when every template names its own
     */
    public record TerraformSettings(String binary, Path module, Path workDir, String stateSchema, Duration timeout,
                                    int maxConcurrent) {
    }

    private final TerraformSettings settings;

    public TerraformProvisionerModule(TerraformSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(WorkspaceProvisionerPort.class).to(TerraformProvisioner.class);
    }

    @Provides
    @Singleton
    TerraformProvisioner provisioner(PostgresDatabase database, PresetStorePort presets) {
        return new TerraformProvisioner(TerraformProvisionerConfig.of(settings.binary(), settings.module(),
                settings.workDir(), settings.stateSchema(), () -> libpq(database.connectionInfo()),
                settings.maxConcurrent()).withTimeout(settings.timeout()), templateModules(presets));
    }

    /**
     * The module a preset's template version names, read from the store once per version: a stored version's module
     * never changes (the store refuses it). A failed read is not remembered.
     */
    static TerraformModules templateModules(PresetStorePort presets) {
        Map<String, Optional<String>> known = new ConcurrentHashMap<>();
        return preset -> {
            String version = preset.template() + "@" + preset.version();
            Optional<String> module = known.get(version);
            if (module == null) {
                module = presets.terraformModule(preset);
                known.put(version, module);
            }
            return module;
        };
    }

    @Provides
    @Singleton
    @ProvisionerLifecycle
    Lifecycle lifecycle(TerraformProvisioner provisioner) {
        return Lifecycle.stopping("provisioner (terraform)", provisioner::close);
    }

    private static final Set<String> LIBPQ_SSL_MODES = Set.of("disable", "require", "verify-ca", "verify-full");

    /**
     * The libpq URL ({@code postgres://user:password@host:port/db?sslmode=…}) equivalent to a PostgreSQL JDBC URL and
     * its user and password (given apart or as the URL's {@code user} and {@code password} parameters). Only
     * {@code sslmode} of the other parameters is kept, when libpq (Terraform's lib/pq) knows it; without one — or
     * with pgjdbc's {@code prefer} or {@code allow}, which lib/pq does not know — it is {@code disable} on a loopback
     * host and {@code require} elsewhere. Holds the password: never log it.
     */
    static String libpq(PostgresDatabase.ConnectionInfo info) {
        String url = info.jdbcUrl();
        String prefix = "jdbc:postgresql://";
        if (!url.startsWith(prefix)) {
            throw new IllegalArgumentException("the terraform provisioner needs a jdbc:postgresql://host:port/db URL");
        }
        String rest = url.substring(prefix.length());
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        String hostAndDb = q < 0 ? rest : rest.substring(0, q);
        int slash = hostAndDb.indexOf('/');
        String hosts = slash < 0 ? hostAndDb : hostAndDb.substring(0, slash);
        String db = slash < 0 ? "" : hostAndDb.substring(slash + 1);
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String user = info.user() != null ? info.user() : params.get("user");
        String password = info.password() != null ? info.password() : params.get("password");
        String host = hosts.contains(",") ? hosts.substring(0, hosts.indexOf(',')) : hosts;
        String sslmode = params.get("sslmode");
        if (sslmode == null || !LIBPQ_SSL_MODES.contains(sslmode)) {
            String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceAll(":\\d+$", "");
            sslmode = Set.of("127.0.0.1", "localhost", "[::1]").contains(name) ? "disable" : "require";
        }
        StringBuilder out = new StringBuilder("postgres://");
        if (user != null) {
            out.append(encode(user));
            if (password != null) {
                out.append(':').append(encode(password));
            }
            out.append('@');
        }
        out.append(host).append('/').append(encode(db)).append("?sslmode=").append(sslmode);
        return out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
