package io.warmpool.bootstrap;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One CLI command run in-process through {@link Main#execute}, as a user's shell would run it: its exit code and
 * what it printed on stdout and stderr.
 */
record CliRun(int exit, String out, String err) {

    /** Runs {@code args}, then {@code options} (the client options a test adds to every command). */
    static CliRun of(String[] args, String... options) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(options));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(exit, out.toString(), err.toString());
    }
}
