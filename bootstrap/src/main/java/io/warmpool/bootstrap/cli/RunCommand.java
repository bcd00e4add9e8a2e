package io.warmpool.bootstrap.cli;

import io.warmpool.bootstrap.Composition;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.logging.LogSettings;
import io.warmpool.bootstrap.logging.Logs;
import io.warmpool.bootstrap.runtime.StopSignals;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run}: the service — reconciler, workers and API — on the embedded defaults unless told otherwise.
 * Every {@link Setting} is a flag here (added from the table, so flags, variables and file keys never drift).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the service: reconciler, provisioner workers and the REST API.",
                "Defaults: an embedded PostgreSQL under ./.warmpool, the simulated provisioner, and examples/presets.yaml "
                        + "when the store has no presets yet. Every flag --some-name can also be set as WARMPOOL_SOME_NAME "
                        + "or as some-name in warmpool.yaml (flags win, then the environment, then the file).",
                "Secrets: every user sees flags in ps, so give the token, the database password and the HMAC key by file "
                        + "(--token-file, --db-password-file, --http-provisioner-secret-file) or in the environment. "
                        + "Presets files are limited to 16 MiB, other files to 1 MiB, and must be UTF-8 text."})
public final class RunCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (default: ./warmpool.yaml, read when it exists)")
    Path configFile = Path.of("warmpool.yaml");

    /** Adds one option per setting to the {@code run} command's spec. */
    public static void addSettingOptions(CommandSpec spec) {
        for (Setting s : Setting.values()) {
            if (s == Setting.SERVER || s == Setting.CA_CERT) {
                continue; // a client setting
            }
            String def = s.defaultValue().map(d -> " (default: " + d + ")").orElse("");
            spec.addOption(OptionSpec.builder(s.flag())
                    .paramLabel(s.secret() ? "SECRET" : s.key().endsWith("-file") ? "FILE" : "VALUE")
                    .type(String.class)
                    .description(s.description() + def + "; env " + s.envName())
                    .build());
        }
    }

    /**
     * One line, never the value: a secret on the command line is in every user's {@code ps} output (and in
     * {@code /proc/PID/cmdline}) for as long as the process runs. The environment is readable only by the
     * process's own user, a file by whom its mode allows.
     */
    static String secretFlagWarning(Setting s) {
        return "warning: " + s.flag() + " on the command line is visible to every user of this machine (ps); use "
                + s.secretFile().map(f -> f.flag() + " FILE or ").orElse("") + s.envName() + " instead";
    }

    @Override
    public Integer call() throws Exception {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            OptionSpec o = spec.findOption(s.flag());
            if (o != null && o.getValue() != null) {
                flags.put(s, o.getValue());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        flags.keySet().stream().filter(Setting::secret).forEach(s -> err.println(secretFlagWarning(s)));
        Config config = Config.load(flags, System.getenv(), configFile);
        // First, so that every record of the start (the database, the presets, the API) has the chosen format.
        Logs.configure(LogSettings.from(config), System.err);
        WarmpoolService service = Composition.service(config, System.out, System.console() != null);
        config.warnings().forEach(w -> err.println("warning: " + w));
        if (config.text(Setting.DB_URL).isEmpty() && (config.text(Setting.DB_USER).isPresent()
                || config.text(Setting.DB_PASSWORD).isPresent() || config.text(Setting.DB_PASSWORD_FILE).isPresent())) {
            // The embedded database makes and keeps its own credentials (the state dir's db-password).
            err.println("warning: --db-user / --db-password are for an external database (--db-url) and are ignored:"
                    + " the embedded database uses its own generated credentials (" + Setting.STATE_DIR.flag() + "/db-password)");
        }
        err.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runnable stop = () -> {
            // Once: a shutdown hook after a signal-initiated stop must not wait for (or repeat) that stop.
            if (closing.compareAndSet(false, true)) {
                long started = System.nanoTime();
                LOG.info("stopping: the pass in progress and the workers' jobs finish, then the API and the database stop");
                service.close();
                LOG.info("stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            }
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "warmpool-shutdown"));
        service.start();
        // After start: the service stops on SIGTERM / SIGINT while its database is still up (see StopSignals).
        StopSignals.install(stop);
        if (config.text(Setting.TLS_CERT).isPresent()) {
            // The certificate is also reloaded when its files change; SIGHUP is for tools that signal after renewing.
            StopSignals.onHangup(service::reloadTls);
        }
        stopped.await();
        return 0;
    }
}
