package io.warmpool.bootstrap.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The CLI's exit codes (SPEC §5), one meaning each so a script can branch on them, and their documentation in
 * every command's {@code --help}.
 */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** Anything else that went wrong: the service answered an error, a request failed half-way, a bug. */
    public static final int FAILURE = 1;
    /** Bad usage or invalid input (flags, arguments, configuration, a presets file); nothing was changed. */
    public static final int USAGE = 2;
    /** Nothing available: a claim found no prebuild (also when its {@code --wait} ran out). */
    public static final int NOTHING_AVAILABLE = 3;
    /** The service cannot be reached (connection refused, no route, connect timeout). */
    public static final int UNREACHABLE = 4;

    static final String HEADING = "%nExit codes:%n";

    private ExitCodes() {
    }

    /**
     * Adds the exit-code list to the {@code --help} of {@code root} and of every subcommand that has none of its own
     * ({@code claim} declares its own): the full list on {@code warmpool}, the codes a command can exit with on the
     * others.
     */
    public static void document(CommandLine root) {
        document(root.getCommandSpec(), all());
    }

    private static void document(CommandSpec spec, Map<String, String> codes) {
        if (spec.usageMessage().exitCodeList().isEmpty()) {
            spec.usageMessage().exitCodeListHeading(HEADING).exitCodeList(codes);
        }
        for (CommandLine sub : spec.subcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            document(s, forCommand(s));
        }
    }

    /** Every code, as {@code warmpool --help} lists them. */
    static Map<String, String> all() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(code(OK), "ok");
        codes.put(code(FAILURE), "failure (the service answered an error, or a request failed)");
        codes.put(code(USAGE), "bad usage or invalid input (nothing was changed)");
        codes.put(code(NOTHING_AVAILABLE), "nothing available (a claim found no prebuild, also after --wait)");
        codes.put(code(UNREACHABLE), "the service cannot be reached");
        return codes;
    }

    /** The codes one subcommand can exit with. */
    static Map<String, String> forCommand(CommandSpec spec) {
        Map<String, String> codes = new LinkedHashMap<>();
        switch (spec.name()) {
            case "run" -> {
                codes.put(code(OK), "stopped cleanly (SIGTERM or Ctrl-C)");
                codes.put(code(FAILURE), "failure (e.g. the database could not start)");
                codes.put(code(USAGE), "bad usage or invalid configuration (nothing was started)");
                codes.put("130", "a second Ctrl-C stopped it at once (143: a second SIGTERM)");
            }
            case "simulate", "completion", "help" -> {
                codes.put(code(OK), "ok");
                codes.put(code(FAILURE), "failure");
                codes.put(code(USAGE), "bad usage or invalid input");
            }
            case "version" -> {
                codes.put(code(OK), "printed (also when the service cannot be reached, unless --server was given)");
                codes.put(code(FAILURE), "failure (with --server: the service answered an error)");
                codes.put(code(USAGE), "bad usage");
                codes.put(code(UNREACHABLE), "the service given with --server cannot be reached");
            }
            default -> {
                codes.put(code(OK), "ok");
                codes.put(code(FAILURE), "failure (the service answered an error, or a request failed)");
                codes.put(code(USAGE), "bad usage or invalid input (nothing was changed)");
                codes.put(code(UNREACHABLE), "the service cannot be reached");
            }
        }
        return codes;
    }

    private static String code(int code) {
        return Integer.toString(code);
    }
}
