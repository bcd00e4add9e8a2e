package io.warmpool.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/Dockerfile, read (no Docker engine here to build it): a Java 17 runtime image, a non-root user with
 * the uid the Kubernetes manifests run as, the API's port exposed, the launcher as entrypoint (exec form, so it
 * receives SIGTERM) and a default command warmpool accepts. That its COPY sources are in the tarball is checked by
 * TarballIT on the real tarball.
 */
class DockerfileTest {

    static final Path DOCKERFILE = Repo.path("deploy/docker/Dockerfile");

    /** Instructions with their arguments, continuation lines joined, comments dropped. */
    static List<String[]> instructions() {
        List<String[]> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Repo.read(DOCKERFILE).lines().toList()) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String[] parts = current.toString().strip().split("\\s+", 2);
            out.add(new String[] {parts[0].toUpperCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1] : ""});
            current.setLength(0);
        }
        return out;
    }

    private static List<String> all(String instruction) {
        return instructions().stream().filter(i -> i[0].equals(instruction)).map(i -> i[1]).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> execForm(String instruction) {
        List<String> found = all(instruction);
        assertThat(found).as(instruction).hasSize(1);
        Object parsed = Repo.yaml(found.get(0)); // a JSON array is YAML
        assertThat(parsed).as(instruction + " in exec form (a JSON array)").isInstanceOf(List.class);
        return (List<String>) parsed;
    }

    @Test
    void theImage_isAJava17Runtime_runningTheLauncherAsANonRootUser() {
        assertThat(all("FROM")).singleElement().satisfies(from -> assertThat(from).matches("eclipse-temurin:17-jre\\S*"));
        assertThat(execForm("ENTRYPOINT")).containsExactly("/opt/warmpool/bin/warmpool");
        String user = all("USER").get(all("USER").size() - 1);
        assertThat(user).doesNotStartWith("root").doesNotStartWith("0");
        String run = String.join("\n", all("RUN"));
        Object podUid = Repo.at(Repo.yamlDocuments(Repo.path("deploy/kubernetes/deployment.yaml")).get(0),
                "spec", "template", "spec", "securityContext", "runAsUser");
        assertThat(run).contains("--uid " + podUid).contains("useradd");
        assertThat(all("EXPOSE")).containsExactly("8080");
        assertThat(all("HEALTHCHECK")).as("none: see the comment in the Dockerfile").isEmpty();
    }

    @Test
    void theDefaultCommand_isARunWarmpoolAccepts_listeningOnThePortItExposes(@TempDir Path tmp) {
        List<String> cmd = execForm("CMD");
        assertThat(cmd.get(0)).isEqualTo("run");
        Map<String, String> flags = Repo.runFlags(cmd.subList(1, cmd.size()), "CMD");
        assertThat(flags).containsEntry("http-addr", "0.0.0.0:8080").containsEntry("state-dir", "/var/lib/warmpool");
        assertThat(all("VOLUME")).singleElement().satisfies(v -> assertThat(v).contains("/var/lib/warmpool"));
        flags.put("state-dir", tmp.toString());
        assertThat(Repo.settings(flags, Map.of(), null).httpAddr().getPort()).isEqualTo(8080);
    }
}
