package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmpool.bootstrap.BuildInfo;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code version}: this client's version and git revision ({@link BuildInfo}), and the service's
 * ({@code GET /api/v1/version}) when it can be reached. The service's part is best effort unless {@code --server}
 * names it on the command line: a service that cannot be reached (or refuses the token) is reported, not an error,
 * since the client's version is still worth printing; a service older than the endpoint (404) is "unknown".
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = {"Print this client's version and git revision, and the running service's when it can be reached.",
                "Without --server a service that cannot be reached is reported on the server line and the exit code is "
                        + "still 0; with --server it is an error (exit 4, or 1 when it answers an error). A service older "
                        + "than GET /api/v1/version is 'unknown (older than this endpoint)'."})
public final class VersionCommand implements Callable<Integer> {

    /** What the server line says of a service that answers 404: it predates the endpoint. */
    static final String OLDER = "older than this endpoint";
    /** What the server line says of a service that cannot be reached. */
    static final String UNREACHABLE = "cannot be reached";

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Mixin
    OutputOption output;

    @Option(names = "--client", description = "this client's version only: do not ask the service")
    boolean clientOnly;

    @Override
    public Integer call() {
        BuildInfo mine = BuildInfo.current();
        ObjectNode doc = ApiClient.JSON.createObjectNode();
        doc.putObject("client").put("version", mine.version()).put("revision", mine.revision());
        if (clientOnly) {
            doc.putNull("server");
        } else {
            doc.set("server", server());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(ClientCommands.pretty(doc));
            return ExitCodes.OK;
        }
        out.println("client: " + mine);
        JsonNode server = doc.get("server");
        if (!server.isNull()) {
            out.println("server: " + (server.get("version").isNull()
                    ? "unknown (" + server.get("detail").asText() + ")"
                    : new BuildInfo(server.get("version").asText(), server.get("revision").asText()))
                    + " at " + server.get("url").asText());
        }
        return ExitCodes.OK;
    }

    /**
     * {@code {"url", "reachable", "version", "revision", "detail"}}: the version and revision the service reported,
     * or {@code null} with the reason in {@code detail}.
     */
    private ObjectNode server() {
        URI url = client.serverUri();
        ObjectNode server = ApiClient.JSON.createObjectNode().put("url", url.toString());
        try {
            JsonNode v = client.client().get("/api/v1/version");
            return server.put("reachable", true)
                    .put("version", v == null ? BuildInfo.UNKNOWN : v.path("version").asText(BuildInfo.UNKNOWN))
                    .put("revision", v == null ? BuildInfo.UNKNOWN : v.path("revision").asText(BuildInfo.UNKNOWN))
                    .putNull("detail");
        } catch (ApiClient.ApiException e) {
            if (e.status() != 404 && client.serverGiven()) {
                throw e; // the user asked about this service: not reaching it is the command's failure
            }
            server.put("reachable", e.status() != 0);
            server.putNull("version").putNull("revision");
            return server.put("detail", e.status() == 404 ? OLDER
                    : e.exitCode() == ExitCodes.UNREACHABLE ? UNREACHABLE : e.getMessage());
        }
    }
}
