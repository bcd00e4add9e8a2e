package io.warmpool.bootstrap;

import io.warmpool.bootstrap.cli.ApiClient;
import io.warmpool.bootstrap.cli.ClientCommands;
import io.warmpool.bootstrap.cli.RunCommand;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.logging.Logs;
import io.warmpool.domain.definition.InvalidDefinitionException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code warmpool} command line. Exit codes (SPEC §5): 0 ok, 1 failure, 2 bad usage or invalid input, 3 nothing
 * available (a claim's miss), 4 the service cannot be reached.
 */
@Command(name = "warmpool", mixinStandardHelpOptions = true, version = "warmpool 0.1.0",
        description = "Keeps pools of prebuilt workspaces warm, one pool per preset.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failure", "2:bad usage or invalid input",
                "3:nothing available (a claim found no prebuild)", "4:the service cannot be reached"},
        subcommands = {RunCommand.class, ClientCommands.Presets.class, ClientCommands.Status.class,
                ClientCommands.Plan.class, ClientCommands.Claim.class, ClientCommands.Release.class,
                ClientCommands.Pause.class, ClientCommands.Resume.class, ClientCommands.Dashboard.class,
                io.warmpool.bootstrap.simulate.SimulateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // jOOQ prints a 25-line logo and a "tip of the day" on first use; neither belongs in a service's log.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Logs.bridgeJdkLogging();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        RunCommand.addSettingOptions(cli.getSubcommands().get("run").getCommandSpec());
        cli.setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ApiClient.ApiException api) {
                commandLine.getErr().println("error: " + api.getMessage());
                return api.exitCode();
            }
            if (e instanceof ConfigException || e instanceof InvalidDefinitionException) {
                commandLine.getErr().println("invalid configuration or input:");
                e.getMessage().lines().forEach(l -> commandLine.getErr().println("  " + l));
                if (e instanceof ConfigException) {
                    // A setting (flag, variable or file key) was wrong: point at where every setting is described.
                    String command = commandLine.getCommandSpec().qualifiedName();
                    commandLine.getErr().println("Usage: " + command + " [OPTIONS]; '" + command
                            + " --help' lists every option");
                }
                return 2;
            }
            commandLine.getErr().println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        });
        return cli.execute(args);
    }

    /** No command given: bad usage (exit 2), with the usage on stderr. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
