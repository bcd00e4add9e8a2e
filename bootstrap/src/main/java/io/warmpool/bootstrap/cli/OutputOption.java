package io.warmpool.bootstrap.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --output table|json}: with {@code json} a command prints one JSON document on stdout, and a failure prints
 * one JSON error object on stderr ({@link Problems}).
 */
public final class OutputOption {

    /** The formats a command can print. */
    public enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json: one JSON document "
            + "on stdout, and on failure one JSON error object on stderr (type, title, status, detail, error, code, errors)")
    Format format = Format.table;

    boolean json() {
        return format == Format.json;
    }

    /** Whether the command that was parsed asked for {@code --output json} (a {@link Format} or a plain string option). */
    public static boolean json(CommandSpec spec) {
        OptionSpec output = spec == null ? null : spec.findOption("--output");
        return output != null && "json".equals(String.valueOf((Object) output.getValue()));
    }

    /**
     * Whether raw arguments ask for JSON — {@code --output json}, {@code --output=json}, {@code -o json},
     * {@code -ojson}, {@code -o=json} before any {@code --} — for when parsing them failed and no command's options
     * are known.
     */
    public static boolean json(String[] args) {
        List<String> all = args == null ? List.of() : List.of(args);
        for (int i = 0; i < all.size(); i++) {
            String a = all.get(i);
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--output=json") || a.equals("-o=json") || a.equals("-ojson")) {
                return true;
            }
            if ((a.equals("--output") || a.equals("-o")) && i + 1 < all.size() && all.get(i + 1).equals("json")) {
                return true;
            }
        }
        return false;
    }
}
