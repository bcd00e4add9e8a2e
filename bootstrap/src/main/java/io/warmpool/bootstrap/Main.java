package io.warmpool.bootstrap;

import io.warmpool.bootstrap.cli.ApiClient;
import io.warmpool.bootstrap.cli.ClientCommands;
import io.warmpool.bootstrap.cli.CompletionCommand;
import io.warmpool.bootstrap.cli.ExitCodes;
import io.warmpool.bootstrap.cli.OutputOption;
import io.warmpool.bootstrap.cli.Problems;
import io.warmpool.bootstrap.cli.RunCommand;
import io.warmpool.bootstrap.cli.VersionCommand;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.logging.Logs;
import io.warmpool.domain.definition.InvalidDefinitionException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code warmpool} command line. Exit codes (SPEC §5, {@link ExitCodes}): 0 ok, 1 failure, 2 bad usage or invalid
 * input, 3 nothing available (a claim's miss), 4 the service cannot be reached — listed in every command's
 * {@code --help}. With {@code --output json} a failure prints one JSON error object on stderr ({@link Problems}),
 * also when the arguments could not be parsed.
 */
@Command(name = "warmpool", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Keeps pools of prebuilt workspaces warm, one pool per preset.",
        subcommands = {RunCommand.class, ClientCommands.Presets.class, ClientCommands.Status.class,
                ClientCommands.Plan.class, ClientCommands.Claim.class, ClientCommands.Release.class,
                ClientCommands.Pause.class, ClientCommands.Resume.class, ClientCommands.Dashboard.class,
                io.warmpool.bootstrap.simulate.SimulateCommand.class, VersionCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // jOOQ prints a 25-line logo and a "tip of the day" on first use; neither belongs in a service's log.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Logs.bridgeJdkLogging();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int exit = execute(args, out, err);
        // Auto-flush covers println only: what a command print()s (the dry run's diff) would be lost at exit.
        out.flush();
        err.flush();
        System.exit(exit);
    }

    /**
     * The whole command line as it runs: every subcommand, {@code run}'s setting flags, the exit codes and the
     * version in every {@code --help} (what {@code completion} describes too).
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        RunCommand.addSettingOptions(cli.getSubcommands().get("run").getCommandSpec());
        ExitCodes.document(cli);
        versionEverywhere(cli.getCommandSpec(), new Version());
        return cli;
    }

    private static void versionEverywhere(CommandSpec spec, CommandLine.IVersionProvider version) {
        spec.versionProvider(version);
        spec.subcommands().values().forEach(sub -> versionEverywhere(sub.getCommandSpec(), version));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out).setErr(err);
        CommandLine.IParameterExceptionHandler text = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, arguments) -> {
            // Bad usage (exit 2): picocli's parse errors and the commands' own checks. The raw arguments tell whether
            // JSON was asked for when the parse failed before reaching --output.
            if (!OutputOption.json(e.getCommandLine().getCommandSpec()) && !OutputOption.json(arguments)) {
                return text.handleParseException(e, arguments);
            }
            e.getCommandLine().getErr().println(Problems.line(Problems.usage(e.getMessage())));
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean json = OutputOption.json(commandLine.getCommandSpec());
            PrintWriter stderr = commandLine.getErr();
            if (e instanceof ApiClient.ApiException api) {
                stderr.println(json ? Problems.line(Problems.of(api)) : "error: " + api.getMessage());
                return api.exitCode();
            }
            if (e instanceof ConfigException || e instanceof InvalidDefinitionException) {
                if (json) {
                    stderr.println(Problems.line(e instanceof InvalidDefinitionException invalid
                            ? Problems.usage("invalid input", invalid.errors()) : Problems.usage(e.getMessage())));
                    return ExitCodes.USAGE;
                }
                stderr.println("invalid configuration or input:");
                e.getMessage().lines().forEach(l -> stderr.println("  " + l));
                if (e instanceof ConfigException) {
                    // A setting (flag, variable or file key) was wrong: point at where every setting is described.
                    String command = commandLine.getCommandSpec().qualifiedName();
                    stderr.println("Usage: " + command + " [OPTIONS]; '" + command
                            + " --help' lists every option");
                }
                return ExitCodes.USAGE;
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            stderr.println(json ? Problems.line(Problems.failure(message)) : "error: " + message);
            return ExitCodes.FAILURE;
        });
        return cli.execute(args);
    }

    /** {@code --version}: this build's version and git revision ({@link BuildInfo}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.current().toString()};
        }
    }

    /** No command given: bad usage (exit 2), with the usage on stderr. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
