package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The terraform provisioner (issue 16) across replicas: states live in the {@code pg} backend on the shared
 * database, so a workspace created by one replica is claimed and deleted by another, and Terraform's lock (a session
 * advisory lock) dies with the process that held it. Real Terraform, a module of built-in {@code terraform_data}
 * resources only, whose {@code local-exec} can fail or hang the first apply that asks.
 */
class TerraformReplicasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A test module: {@code fail_once} / {@code hang_once} name a marker file; the first apply to find it missing fails / hangs 20 s. */
    private static final String MODULE = """
            terraform {
              backend "pg" {}
            }
            variable "workspace_id" {
              type = string
            }
            variable "owner" {
              type    = string
              default = "prebuilds"
            }
            variable "workspace_name" {
              type    = string
              default = ""
            }
            variable "cpu" {
              type    = number
              default = 1
            }
            variable "fail_once" {
              type    = string
              default = ""
            }
            variable "hang_once" {
              type    = string
              default = ""
            }
            resource "terraform_data" "machine" {
              input = { id = var.workspace_id, cpu = var.cpu }
              provisioner "local-exec" {
                command = <<-EOT
                  if [ -n "${var.fail_once}" ] && [ ! -e "${var.fail_once}" ]; then touch "${var.fail_once}"; echo "the infrastructure is busy" >&2; exit 1; fi
                  if [ -n "${var.hang_once}" ] && [ ! -e "${var.hang_once}" ]; then touch "${var.hang_once}"; sleep 20; fi
                  exit 0
                EOT
              }
            }
            resource "terraform_data" "home" {
              input = { owner = var.owner, name = var.workspace_name, machine = terraform_data.machine.id }
            }
            output "owner" {
              value = terraform_data.home.output.owner
            }
            output "url" {
              value = "https://${var.workspace_id}.workspaces.invalid"
            }
            """;

    static String terraform() {
        String given = System.getenv("WARMPOOL_TERRAFORM");
        if (given != null && Files.isExecutable(Path.of(given))) {
            return given;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "terraform");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String why = "the terraform provisioner's tests need the Terraform CLI (>= 1.4) on PATH or in WARMPOOL_TERRAFORM";
        if (System.getenv("WARMPOOL_REQUIRE_TERRAFORM") != null) {
            Assertions.fail(why + "; WARMPOOL_REQUIRE_TERRAFORM is set, so a missing terraform is a failure");
        }
        System.err.println("\n*** SKIPPED: " + why + " (set WARMPOOL_REQUIRE_TERRAFORM to make this a failure) ***\n");
        Assumptions.abort(why + "; skipped");
        throw new IllegalStateException("unreachable");
    }

    private static ServiceProcess replica(String name, Path dir, SharedDatabase.Database db, Path presets, Path module,
                                          String terraform) {
        return ServiceProcess.builder(name, dir)
                .database(db)
                .setting("presets", presets.toString())
                .setting("provisioner", "terraform")
                .setting("terraform-module", module.toString())
                .setting("terraform-binary", terraform)
                .setting("reconcile-interval", "200ms")
                .setting("backoff-interval", "2s")
                .setting("backoff-jitter", "none")
                .setting("job-heartbeat-timeout", "3s")
                .start();
    }

    private static Set<String> terraformWorkspaces(SharedDatabase.Database db) {
        Set<String> names = new TreeSet<>();
        db.query("select name from warmpool_terraform.states").forEach(r -> names.add((String) r.get("name")));
        names.remove("default");
        return names;
    }

    private static Set<String> liveWorkspaces(SharedDatabase.Database db) {
        Set<String> ids = new TreeSet<>();
        db.query("select id::text as id from workspaces where phase <> 'deleted'").forEach(r -> ids.add((String) r.get("id")));
        return ids;
    }

    private static long running(SharedDatabase.Database db, String preset) {
        return db.count("select count(*) from workspaces w join presets p on p.id = w.preset_id where p.name = ?"
                + " and w.owner = 'prebuilds' and w.phase = 'running'", preset);
    }

    @Test
    void createdByA_claimedAndDeletedByB_nothingLeaks_andATransientFailureBacksOffOnceThenClears() throws Exception {
        String terraform = terraform();
        Path dir = Logs.dir("TerraformReplicasTest-replicas");
        Path module = Files.createDirectories(dir.resolve("module"));
        Files.writeString(module.resolve("main.tf"), MODULE);
        Path presets = Fixtures.write(dir.resolve("presets.yaml"), """
                templates:
                  - name: dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 1}
                      - name: flaky
                        parameters: {fail_once: "%s"}
                        prebuilds: {instances: 1}
                """.formatted(dir.resolve("flaky-marker")));
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("terraform");
            ServiceProcess a = replica("replica-a", dir, db, presets, module, terraform);
            ServiceProcess b = null;
            try {
                a.awaitReady(Duration.ofMinutes(2));
                await().atMost(Duration.ofMinutes(2)).until(() -> running(db, "small") == 1 && running(db, "flaky") == 1);

                // the flaky preset: its first apply failed (transient: backoff), the next succeeded and cleared it
                assertThat(db.count("select count(*) from builds b join presets p on p.id = b.preset_id"
                        + " where p.name = 'flaky' and b.status = 'failed'")).isEqualTo(1);
                assertThat(db.value("select error from builds b join presets p on p.id = b.preset_id"
                        + " where p.name = 'flaky' and b.status = 'failed'").toString()).contains("the infrastructure is busy");
                assertThat(db.count("select count(*) from preset_failure_states f join presets p on p.id = f.preset_id"
                        + " where p.name = 'flaky' and (f.consecutive_failures > 0 or f.status <> 'healthy')"))
                        .as("the success cleared the failure").isZero();

                String id = (String) db.value("select w.id::text from workspaces w join presets p on p.id = w.preset_id"
                        + " where p.name = 'small' and w.phase = 'running'");
                Set<String> before = terraformWorkspaces(db);
                assertThat(before).as("created by replica-a, in the shared backend").contains(id);

                // replica-a stops; replica-b, another state dir, sees every state
                assertThat(a.stop(Duration.ofMinutes(1))).isEqualTo(0);
                b = replica("replica-b", dir, db, presets, module, terraform);
                b.awaitReady(Duration.ofMinutes(2));
                HttpResponse<String> claim = b.post("/api/v1/presets/dev/small/claims",
                        "{\"owner\":\"alice\",\"name\":\"alice-dev\"}", "application/json");
                assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
                assertThat(JSON.readTree(claim.body()).get("id").asText()).isEqualTo(id);
                assertThat(JSON.readTree(claim.body()).get("outputs").get("owner").asText()).isEqualTo("alice");
                assertThat((String) db.value("select data from warmpool_terraform.states where name = ?", id))
                        .contains("\"alice\"", "alice-dev");

                assertThat(b.delete("/api/v1/workspaces/" + id).statusCode()).isEqualTo(202);
                await().atMost(Duration.ofMinutes(1)).until(() -> !terraformWorkspaces(db).contains(id));
                // replica-b refills small; at rest every Terraform workspace is a live workspace and back
                await().atMost(Duration.ofMinutes(1)).until(() -> running(db, "small") == 1
                        && db.count("select count(*) from builds where status in ('pending', 'running')") == 0);
                assertThat(terraformWorkspaces(db)).as("nothing leaks").isEqualTo(liveWorkspaces(db));
                assertThat(terraformWorkspaces(db)).hasSize(before.size());
                assertThat(b.stop(Duration.ofMinutes(1))).isEqualTo(0);

                // the database password reached Terraform only through its environment: in no log, build log or file
                String password = db.password();
                StringBuilder everything = new StringBuilder();
                db.query("select coalesce(log, '') || coalesce(error, '') as text from builds")
                        .forEach(r -> everything.append(r.get("text")));
                for (ServiceProcess replica : List.of(a, b)) {
                    for (Path log : replica.logFiles()) {
                        everything.append(Files.readString(log));
                    }
                }
                try (var files = Files.walk(dir.resolve("replica-a"))) {
                    for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().contains("terraform")).toList()) {
                        everything.append(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                }
                assertThat(everything.toString()).contains("terraform apply").doesNotContain(password);
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    void sigkillOfAReplicaMidApply_theJobIsReapedAsWorkerLost_theLockIsReleased_andTheNextAttemptSucceeds() throws Exception {
        String terraform = terraform();
        Path dir = Logs.dir("TerraformReplicasTest-sigkill");
        Path module = Files.createDirectories(dir.resolve("module"));
        Files.writeString(module.resolve("main.tf"), MODULE);
        Path marker = dir.resolve("hang-marker");
        Path presets = Fixtures.write(dir.resolve("presets.yaml"), """
                templates:
                  - name: dev
                    version: v1
                    presets:
                      - name: slow
                        parameters: {hang_once: "%s"}
                        prebuilds: {instances: 1}
                """.formatted(marker));
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("terraform");
            ServiceProcess a = replica("replica-a", dir, db, presets, module, terraform);
            ServiceProcess b = replica("replica-b", dir, db, presets, module, terraform);
            try {
                a.awaitReady(Duration.ofMinutes(2));
                b.awaitReady(Duration.ofMinutes(2));
                // the first apply hangs in its local-exec
                await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(marker));
                String worker = (String) db.value("select worker from builds where status = 'running'");
                ServiceProcess holder = worker.contains("-" + a.pid() + "/") ? a : b; // worker: host-pid/wN
                ServiceProcess other = holder == a ? b : a;
                assertThat(holder.kill()).isEqualTo(137);

                await().atMost(Duration.ofMinutes(1)).until(() ->
                        db.count("select count(*) from builds where error_code = 'worker_lost'") == 1);
                await().atMost(Duration.ofMinutes(2)).until(() -> running(db, "slow") == 1);
                assertThat(other.alive()).isTrue();
                // no Terraform session (the replicas' own sessions carry their ApplicationName) holds a state lock
                await().atMost(Duration.ofMinutes(1)).until(() -> db.count("select count(*) from pg_locks l"
                        + " join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory'"
                        + " and coalesce(a.application_name, '') not like 'replica-%'") == 0);
                // the lock is free: the prebuild is claimed (one more apply on its state) and deleted
                String id = (String) db.value("select w.id::text from workspaces w where w.phase = 'running'");
                HttpResponse<String> claim = other.post("/api/v1/presets/dev/slow/claims", "{\"owner\":\"bob\"}",
                        "application/json");
                assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
                assertThat(JSON.readTree(claim.body()).get("outputs").get("owner").asText()).isEqualTo("bob");
                assertThat(other.delete("/api/v1/workspaces/" + id).statusCode()).isEqualTo(202);
                await().atMost(Duration.ofMinutes(1)).until(() -> !terraformWorkspaces(db).contains(id));
                await().atMost(Duration.ofMinutes(2)).until(() -> running(db, "slow") == 1
                        && db.count("select count(*) from builds where status in ('pending', 'running')") == 0);
                assertThat(terraformWorkspaces(db)).as("nothing leaks").isEqualTo(liveWorkspaces(db));
                List<String> lostLog = List.of(String.valueOf(db.value("select error from builds where error_code = 'worker_lost'")));
                System.out.println("terraform sigkill: " + lostLog);
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
