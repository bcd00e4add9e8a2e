package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.bootstrap.config.Setting;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terraform provisioner (issue 16) through the real service: embedded PostgreSQL, the real Terraform CLI applying
 * {@code examples/terraform} (built-in {@code terraform_data} only: no provider download), each workspace a Terraform
 * workspace in the {@code pg} backend in the schema {@code warmpool_terraform} of the service's own database.
 */
class TerraformEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static InProcessService running;

    @BeforeAll
    static void startService() throws Exception {
        String terraform = TerraformCli.require();
        Path ops = Files.createDirectories(dir.resolve("ops-module"));
        Files.writeString(ops.resolve("main.tf"), OPS_MODULE);
        running = InProcessService.start(dir, """
                templates:
                  - name: dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "4", image: "debian:12"}
                        prebuilds: {instances: 1}
                      - name: too-big
                        parameters: {cpu: "100"}
                        prebuilds: {instances: 1}
                      - name: gpu
                        parameters: {gpu: "1"}
                        prebuilds: {instances: 1}
                      - name: checked
                        parameters: {cpu: "1"}
                        prebuilds:
                          instances: 1
                          readiness: {check: provisioner, timeout: 2m}
                          health: {interval: 1s, unhealthy_after: 2}
                  - name: ops
                    version: v1
                    terraform: {module: %s}
                    presets:
                      - name: east
                        parameters: {region: us-east-1}
                        prebuilds: {instances: 1}
                  - name: lost
                    version: v1
                    terraform: {module: /nonexistent/warmpool-module}
                    presets:
                      - name: nowhere
                        prebuilds: {instances: 1}
                """.formatted(ops), "", Map.of(
                        Setting.PROVISIONER, "terraform",
                        Setting.TERRAFORM_MODULE, TerraformCli.example().toString(),
                        Setting.TERRAFORM_BINARY, terraform,
                        Setting.RECONCILE_INTERVAL, "200ms",
                        Setting.READINESS_INTERVAL, "500ms",
                        Setting.SEED, "7"));
    }

    /** The ops template's own module: no variable of the example's, an output saying which module applied it. */
    private static final String OPS_MODULE = """
            variable "workspace_id" { type = string }
            variable "owner" { type = string }
            variable "region" { type = string }
            resource "terraform_data" "box" {
              input = { region = var.region, owner = var.owner }
            }
            output "module" { value = "ops" }
            output "region" { value = terraform_data.box.output.region }
            output "owner" { value = terraform_data.box.output.owner }
            """;

    @AfterAll
    static void stopService() {
        if (running != null) {
            // For a failure's diagnosis: what each build said.
            dsl().fetch("select id, transition::text, status::text, error, right(log, 1500) from builds order by id")
                    .forEach(r -> System.err.println("build " + r.get(0) + " " + r.get(1) + " " + r.get(2) + ": " + r.get(3)
                            + "\n" + r.get(4)));
            running.close();
        }
    }

    private static DSLContext dsl() {
        return running.service().injector().getInstance(PostgresDatabase.class).dsl();
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return running.send(method, path, body, "Content-Type", "application/json", "Authorization", "Bearer " + running.token());
    }

    private static List<String> eligible(String preset) {
        return dsl().fetch("select w.id::text from workspaces w join presets p on p.id = w.preset_id "
                + "where p.name = ? and w.owner = 'prebuilds' and w.phase = 'running'", preset).getValues(0, String.class);
    }

    private static List<String> terraformWorkspaces() {
        return dsl().fetch("select name from warmpool_terraform.states order by name").getValues(0, String.class);
    }

    private static String state(String workspace) {
        return dsl().fetchOne("select data from warmpool_terraform.states where name = ?", workspace).get(0, String.class);
    }

    private static String nextCheck(String id) {
        return String.valueOf(dsl().fetchOne("select next_check_at::text from workspaces where id = ?::uuid", id).get(0));
    }

    private static String presetStatus(String preset) {
        return dsl().fetchOptional("select f.status::text from preset_failure_states f join presets p on p.id = f.preset_id"
                + " where p.name = ?", preset).map(r -> r.get(0, String.class)).orElse("healthy");
    }

    private static String lastError(String preset) {
        return dsl().fetchOptional("select b.error from builds b join presets p on p.id = b.preset_id where p.name = ?"
                + " and b.error is not null order by b.id desc limit 1", preset).map(r -> r.get(0, String.class)).orElse("");
    }

    @Test
    void createOutputsReachTheClaim_theClaimAppliesAgainWithTheOwner_deleteDestroysAndRemovesTheWorkspace() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> !eligible("small").isEmpty());
        String id = eligible("small").get(0);
        assertThat(terraformWorkspaces()).as("a Terraform workspace per workspace, in the pg backend").contains(id);
        JsonNode created = JSON.readTree(dsl().fetchOne("select outputs::text from workspaces where id = ?::uuid", id)
                .get(0, String.class));
        assertThat(created.get("url").asText()).isEqualTo("https://" + id + ".workspaces.invalid");
        assertThat(created.get("owner").asText()).isEqualTo("prebuilds");
        assertThat(created.get("ready").asText()).isEqualTo("true");
        assertThat(created.has("agent_secret")).as("sensitive outputs are not kept").isFalse();
        String machine = created.get("machine_id").asText();
        assertThat(state(id)).contains("\"prebuilds\"", "debian:12");

        HttpResponse<String> claim = api("POST", "/api/v1/presets/dev/small/claims",
                "{\"owner\":\"alice\",\"name\":\"alice-dev\",\"parameters\":{\"dotfiles\":\"https://example.com/d.git\"}}");

        assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
        JsonNode ws = JSON.readTree(claim.body());
        assertThat(ws.get("id").asText()).isEqualTo(id);
        JsonNode outputs = ws.get("outputs");
        assertThat(outputs.get("url").asText()).as("the create's output reaches the claim").isEqualTo(created.get("url").asText());
        assertThat(outputs.get("owner").asText()).as("applied again with the new owner").isEqualTo("alice");
        assertThat(outputs.get("workspace_name").asText()).isEqualTo("alice-dev");
        assertThat(outputs.get("machine_id").asText()).as("the preset's parameters kept: the machine is not replaced")
                .isEqualTo(machine);
        assertThat(claim.body()).doesNotContain("agent_secret");
        assertThat(state(id)).contains("\"alice\"", "alice-dev", "https://example.com/d.git", "debian:12");

        assertThat(api("DELETE", "/api/v1/workspaces/" + id, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> !terraformWorkspaces().contains(id));
        await().atMost(Duration.ofSeconds(10)).until(() -> dsl().fetchOne(
                "select phase::text from workspaces where id = ?::uuid", id).get(0, String.class).equals("deleted"));
    }

    @Test
    void aTemplateWithItsOwnModule_isCreatedClaimedAndDestroyedWithIt_aMissingModuleIsPermanent() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> !eligible("east").isEmpty());
        String id = eligible("east").get(0);
        JsonNode created = JSON.readTree(dsl().fetchOne("select outputs::text from workspaces where id = ?::uuid", id)
                .get(0, String.class));
        assertThat(created.get("module").asText()).as("applied from the template's module").isEqualTo("ops");
        assertThat(created.get("region").asText()).isEqualTo("us-east-1");
        assertThat(created.has("url")).as("not the default module").isFalse();
        assertThat(terraformWorkspaces()).contains(id);

        HttpResponse<String> claim = api("POST", "/api/v1/presets/ops/east/claims", "{\"owner\":\"bob\",\"name\":\"bob-ops\"}");
        assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
        assertThat(JSON.readTree(claim.body()).get("outputs").get("owner").asText()).isEqualTo("bob");
        assertThat(api("DELETE", "/api/v1/workspaces/" + id, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> !terraformWorkspaces().contains(id));

        await().atMost(Duration.ofSeconds(60)).until(() -> presetStatus("nowhere").equals("validation_failed"));
        assertThat(lastError("nowhere")).contains("/nonexistent/warmpool-module", "is not a directory");
    }

    @Test
    void theCheckTransition_readsTheModulesReadyOutputAfterARefreshOnlyApply() {
        // R10: with readiness by provisioner a prebuild is eligible only once the check said ready
        await().atMost(Duration.ofSeconds(90)).until(() -> !eligible("checked").isEmpty());
        String id = eligible("checked").get(0);
        // R11: idle prebuilds are checked again every second, and stay healthy
        String first = nextCheck(id);
        await().atMost(Duration.ofSeconds(60)).until(() -> !nextCheck(id).equals(first));
        assertThat(eligible("checked")).contains(id);
        assertThat(presetStatus("checked")).isEqualTo("healthy");
    }

    @Test
    void aVariableValidationFailure_andAnUndeclaredParameter_arePermanent() {
        await().atMost(Duration.ofSeconds(90)).until(() -> presetStatus("too-big").equals("validation_failed"));
        assertThat(lastError("too-big")).contains("Invalid value for variable", "cpu must be between 1 and 64");
        await().atMost(Duration.ofSeconds(90)).until(() -> presetStatus("gpu").equals("validation_failed"));
        assertThat(lastError("gpu")).contains("declares no variable for the parameter gpu");
    }

    @Test
    void noSecretInBuildLogs_errors_orApiAnswers() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> !eligible("small").isEmpty());
        String password = Files.readString(running.stateDir().resolve("db-password")).trim();
        String id = eligible("small").get(0);
        String secret = JSON.readTree(state(id)).get("outputs").get("agent_secret").get("value").asText();
        assertThat(secret).hasSize(64);
        String logs = String.join("\n", dsl().fetch("select coalesce(log, '') || coalesce(error, '') from builds")
                .getValues(0, String.class));
        assertThat(logs).contains("terraform apply");
        StringBuilder answers = new StringBuilder();
        for (String path : List.of("/api/v1/status", "/api/v1/workspaces", "/api/v1/workspaces/" + id, "/api/v1/presets",
                "/api/v1/workspaces/" + id + "/builds", "/api/v1/presets/dev/small/builds", "/api/v1/presets/dev/too-big/builds")) {
            answers.append(api("GET", path, null).body());
        }
        for (String text : List.of(logs, answers.toString())) {
            assertThat(text).doesNotContain(password).doesNotContain(secret);
        }
    }
}
