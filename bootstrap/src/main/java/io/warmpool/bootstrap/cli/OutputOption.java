package io.warmpool.bootstrap.cli;

import picocli.CommandLine.Option;

/** {@code --output table|json} for read commands. */
public final class OutputOption {

    /** The formats a read command can print. */
    public enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json")
    Format format = Format.table;

    boolean json() {
        return format == Format.json;
    }
}
