package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SPEC R12, crashes: a replica SIGKILLed between a claim's reservation and its handoff. The reserved ({@code claiming})
 * prebuild is reaped by the other replica once it is older than {@code claim-timeout} — deleted as
 * {@code CLAIM_FAILED}, not a creation failure — and is never handed out, neither by the dead replica's claim nor by
 * any later one. Two replicas on one external database, the command provisioner running the example directory
 * provisioner; the claim command hangs (before handing anything over) while a marker file exists.
 */
class ClaimHandoffCrashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(6);

    static Path dirProvisioner() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("examples/provisioners/dir-provisioner.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/provisioners not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void sigkillBetweenReserveAndHandoff_theClaimingPrebuildIsReapedByAnotherReplica_andNeverHandedOut() throws Exception {
        Path dir = Logs.dir("ClaimHandoffCrashTest");
        Path root = Files.createDirectories(dir.resolve("workspaces"));
        Path example = dirProvisioner();
        Path claim = dir.resolve("claim.sh");
        // While ROOT/hang exists the claim command records its pid and the workspace it was asked for, then hangs.
        Files.writeString(claim, """
                #!/bin/sh
                root="$1"
                if [ -f "$root/hang" ]; then
                  echo $$ > "$root/hanging.pid"
                  echo "$WARMPOOL_WORKSPACE_ID" > "$root/hanging.workspace"
                  exec sleep 600
                fi
                exec bash "%s" claim "$root"
                """.formatted(example));
        Files.setPosixFilePermissions(claim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path presets = Fixtures.write(dir.resolve("presets.yaml"), """
                templates:
                  - name: dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 2}
                """);
        long began = System.nanoTime();
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("handoff");
            ServiceProcess a = replica("replica-a", dir, db, presets, example, claim, root);
            ServiceProcess b = replica("replica-b", dir, db, presets, example, claim, root);
            try {
                a.awaitReady(Duration.ofMinutes(2));
                b.awaitReady(Duration.ofMinutes(2));
                await().atMost(Duration.ofMinutes(1)).until(() -> eligible(db) == 2);

                // given: a claim on replica-a whose handoff hangs after the reservation
                Files.writeString(root.resolve("hang"), "");
                CompletableFuture<HttpResponse<String>> lost = CompletableFuture.supplyAsync(() ->
                        a.post("/api/v1/presets/dev/small/claims", "{\"owner\":\"alice\",\"parameters\":{\"k\":\"v\"}}",
                                "application/json"));
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("hanging.workspace")));
                String reserved = Files.readString(root.resolve("hanging.workspace")).trim();
                assertThat(db.value("select phase::text from workspaces where id = ?::uuid", reserved)).isEqualTo("claiming");
                assertThat(db.value("select owner from workspaces where id = ?::uuid", reserved)).isEqualTo("prebuilds");

                // when: replica-a is killed between its reservation and the handoff
                Instant killedAt = Instant.now();
                assertThat(a.kill()).isEqualTo(137);
                killHangingClaim(root);
                Files.delete(root.resolve("hang"));
                assertThat(lost.handle((r, e) -> e != null || r.statusCode() >= 500).join())
                        .as("the killed replica's client gets no workspace").isTrue();

                // then: replica-b reaps the reservation once it is older than claim-timeout: deleted as CLAIM_FAILED
                await().atMost(Duration.ofMinutes(1)).until(() ->
                        db.count("select count(*) from builds where workspace_id = ?::uuid and reason = 'CLAIM_FAILED'", reserved) == 1);
                Instant reapedAt = Instant.now();
                assertThat(Duration.between(killedAt, reapedAt)).as("reaped after claim-timeout, not before")
                        .isGreaterThanOrEqualTo(CLAIM_TIMEOUT.minusSeconds(3));
                assertThat(db.count("select count(*) from events where type = 'claim_failed' and workspace_id = ?::uuid", reserved))
                        .isEqualTo(1);
                await().atMost(Duration.ofMinutes(1)).until(() ->
                        "deleted".equals(db.value("select phase::text from workspaces where id = ?::uuid", reserved)));
                assertThat(root.resolve(reserved)).as("its infrastructure is deleted").doesNotExist();
                assertThat(db.count("select count(*) from preset_failure_states where consecutive_failures > 0"))
                        .as("not a creation failure").isZero();

                // and it is never handed out: claims on replica-b get the other prebuilds, handed over for real
                await().atMost(Duration.ofMinutes(1)).until(() -> eligible(db) == 2);
                for (String owner : List.of("bob", "carol")) {
                    HttpResponse<String> r = b.post("/api/v1/presets/dev/small/claims", "{\"owner\":\"" + owner + "\"}",
                            "application/json");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                    String id = JSON.readTree(r.body()).get("id").asText();
                    assertThat(id).isNotEqualTo(reserved);
                    assertThat(Files.readString(root.resolve(id).resolve("owner.txt"))).contains("owner: " + owner);
                }
                assertThat(db.count("select count(*) from workspaces where id = ?::uuid and owner <> 'prebuilds'", reserved))
                        .as("the reaped reservation was never handed out").isZero();
                assertThat(db.count("select count(*) from workspaces where owner = 'alice'")).isZero();
                assertThat(db.count("select count(*) from workspaces where phase = 'claiming'")).isZero();
                assertThat(b.stop(Duration.ofMinutes(1))).isEqualTo(0);

                String summary = String.format("claim handoff crash: replica-a killed with a reservation in its handoff; "
                                + "replica-b reaped it as CLAIM_FAILED %.1f s after the kill (claim-timeout %d s); test %.1f s",
                        Duration.between(killedAt, reapedAt).toMillis() / 1000.0, CLAIM_TIMEOUT.toSeconds(),
                        (System.nanoTime() - began) / 1e9);
                System.out.println(summary);
                Files.writeString(dir.resolve("summary.txt"), summary + "\n");
            } finally {
                killHangingClaim(root);
                a.close();
                b.close();
            }
        }
    }

    private static ServiceProcess replica(String name, Path dir, SharedDatabase.Database db, Path presets, Path example,
                                          Path claim, Path root) {
        return ServiceProcess.builder(name, dir)
                .database(db)
                .setting("presets", presets.toString())
                .setting("provisioner", "command")
                .setting("command-create", "[\"bash\", \"" + example + "\", \"create\", \"" + root + "\"]")
                .setting("command-delete", "[\"bash\", \"" + example + "\", \"delete\", \"" + root + "\"]")
                .setting("command-claim", "[\"sh\", \"" + claim + "\", \"" + root + "\"]")
                .setting("claim-timeout", CLAIM_TIMEOUT.toSeconds() + "s")
                .setting("reconcile-interval", "200ms")
                .setting("job-heartbeat-timeout", "3s")
                .start();
    }

    private static long eligible(SharedDatabase.Database db) {
        return db.count("select count(*) from workspaces where owner = 'prebuilds' and phase = 'running'");
    }

    /** The hanging claim command outlives the killed replica (its parent): end it, by its own pid. */
    private static void killHangingClaim(Path root) throws Exception {
        Path pid = root.resolve("hanging.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
            Files.delete(pid);
        }
    }
}
