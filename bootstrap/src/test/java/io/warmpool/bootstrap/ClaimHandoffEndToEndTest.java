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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim handoff (SPEC R12) through the real service — embedded PostgreSQL, the command provisioner running the
 * example directory provisioner ({@code examples/provisioners/dir-provisioner.sh}) for create, delete and claim,
 * the REST API and the CLI. The claim command is a small wrapper around the example that can be told, through files
 * in its root, to fail or hang the next claims.
 */
class ClaimHandoffEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path root;
    static InProcessService running;

    static Path examples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("examples/provisioners/dir-provisioner.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/provisioners not found above " + Path.of("").toAbsolutePath());
    }

    @BeforeAll
    static void startService() throws Exception {
        root = Files.createDirectories(dir.resolve("workspaces"));
        Path example = examples();
        // fail-next: that many claims fail (exit 1 with an error); hang-next: that many claims sleep 10 s first.
        Path wrapper = dir.resolve("claim.sh");
        Files.writeString(wrapper, """
                #!/bin/sh
                root="$1"
                take() { # $1 = counter file; succeeds (and decrements) when it holds a positive number
                  [ -f "$1" ] || return 1
                  n=$(cat "$1"); [ "$n" -gt 0 ] 2>/dev/null || return 1
                  echo $((n - 1)) > "$1"; return 0
                }
                if take "$root/fail-next"; then
                  cat > /dev/null
                  echo '{"error": "the infrastructure refused the handoff"}'
                  echo "claim.sh: failing the claim of $WARMPOOL_WORKSPACE_ID" >&2
                  exit 1
                fi
                if take "$root/hang-next"; then
                  sleep 10
                fi
                exec bash "%s" claim "$root"
                """.formatted(example));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        running = InProcessService.start(dir, """
                templates:
                  - name: dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 3}
                      - name: single
                        parameters: {cpu: "1"}
                        prebuilds: {instances: 1}
                """, "", Map.of(
                        Setting.PROVISIONER, "command",
                        Setting.COMMAND_CREATE, "[\"bash\", \"" + example + "\", \"create\", \"" + root + "\"]",
                        Setting.COMMAND_DELETE, "[\"bash\", \"" + example + "\", \"delete\", \"" + root + "\"]",
                        Setting.COMMAND_CLAIM, "[\"sh\", \"" + wrapper + "\", \"" + root + "\"]",
                        Setting.CLAIM_TIMEOUT, "4s",
                        Setting.RECONCILE_INTERVAL, "200ms",
                        Setting.SEED, "5"));
    }

    @AfterAll
    static void stopService() {
        if (running != null) {
            running.close();
        }
    }

    private static DSLContext dsl() {
        return running.service().injector().getInstance(PostgresDatabase.class).dsl();
    }

    private static HttpResponse<String> claim(String preset, String body, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of("Content-Type", "application/json", "Authorization", "Bearer " + running.token()));
        all.addAll(List.of(headers));
        return running.send("POST", "/api/v1/presets/dev/" + preset + "/claims", body, all.toArray(String[]::new));
    }

    private static CliRun cli(String... args) {
        return CliRun.of(args, "--server", running.server(), "--state-dir", running.stateDir().toString());
    }

    private static void awaitEligible(String preset, int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> eligible(preset) >= n);
    }

    private static int eligible(String preset) {
        return dsl().fetchOne("select count(*) from workspaces w join presets p on p.id = w.preset_id "
                + "where p.name = ? and w.owner = 'prebuilds' and w.phase = 'running'", preset).get(0, Integer.class);
    }

    private static int owned(String owner) {
        return dsl().fetchOne("select count(*) from workspaces where owner = ?", owner).get(0, Integer.class);
    }

    private static List<String> claimFailedWorkspaces() {
        return dsl().fetch("select workspace_id::text from builds where reason = 'CLAIM_FAILED'").getValues(0, String.class);
    }

    private static int consecutiveFailures(String preset) {
        Integer k = dsl().fetchOptional("select f.consecutive_failures from preset_failure_states f "
                + "join presets p on p.id = f.preset_id where p.name = ?", preset).map(r -> r.get(0, Integer.class)).orElse(0);
        return k;
    }

    private static void failNext(int n) throws Exception {
        Files.writeString(root.resolve("fail-next"), n + "\n");
    }

    @Test
    void theClaimScriptSeesOwnerAndParameters_andItsOutputsComeBackMergedOverTheCreates() throws Exception {
        awaitEligible("small", 1);

        HttpResponse<String> r = claim("small",
                "{\"owner\":\"alice\",\"name\":\"alice-dev\",\"parameters\":{\"dotfiles\":\"https://example.com/d.git\",\"team\":\"blue\"}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode ws = JSON.readTree(r.body());
        String id = ws.get("id").asText();
        Path workspaceDir = root.resolve(id);
        assertThat(ws.get("outputs").get("path").asText()).as("the create's output").isEqualTo(workspaceDir.toString());
        assertThat(ws.get("outputs").get("url").asText()).startsWith("file://");
        assertThat(ws.get("outputs").get("owner").asText()).as("the claim's output").isEqualTo("alice");
        assertThat(ws.get("outputs").get("name").asText()).isEqualTo("alice-dev");
        String ownerTxt = Files.readString(workspaceDir.resolve("owner.txt"));
        assertThat(ownerTxt).contains("owner: alice", "name: alice-dev", "WARMPOOL_PARAM_DOTFILES=https://example.com/d.git",
                "WARMPOOL_PARAM_TEAM=blue");
        JsonNode stdin = JSON.readTree(Files.readString(workspaceDir.resolve("claim.json")));
        assertThat(stdin.get("transition").asText()).isEqualTo("claim");
        assertThat(stdin.get("parameters").get("dotfiles").asText()).as("the claim's parameters, not the preset's")
                .isEqualTo("https://example.com/d.git");
        assertThat(stdin.get("parameters").has("cpu")).isFalse();
        var row = dsl().fetchOne("select owner, name, phase::text, outputs::text from workspaces where id = ?::uuid", id);
        assertThat(row.get(0, String.class)).isEqualTo("alice");
        assertThat(row.get(1, String.class)).isEqualTo("alice-dev");
        assertThat(row.get(2, String.class)).isEqualTo("running");
        assertThat(JSON.readTree(row.get(3, String.class)).get("owner").asText()).as("stored merged").isEqualTo("alice");

        // the CLI: --param, repeatable; bad ones are bad usage
        awaitEligible("small", 1);
        CliRun cli = cli("claim", "dev/small", "--owner", "dora", "--param", "shell=zsh", "--param", "editor=vim",
                "--output", "json");
        assertThat(cli.exit()).as(cli.err()).isZero();
        JsonNode viaCli = JSON.readTree(cli.out());
        assertThat(Files.readString(root.resolve(viaCli.get("id").asText()).resolve("owner.txt")))
                .contains("owner: dora", "WARMPOOL_PARAM_SHELL=zsh", "WARMPOOL_PARAM_EDITOR=vim");
        CliRun bad = cli("claim", "dev/small", "--owner", "dora", "--param", "1bad=x");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--param", "'1bad'");
    }

    @Test
    void badParameters_are400sNamingTheParameter_andTakeNothing() throws Exception {
        int before = owned("eve");
        HttpResponse<String> notText = claim("small", "{\"owner\":\"eve\",\"parameters\":{\"n\":3}}");
        HttpResponse<String> badName = claim("small", "{\"owner\":\"eve\",\"parameters\":{\"has space\":\"x\"}}");
        HttpResponse<String> notObject = claim("small", "{\"owner\":\"eve\",\"parameters\":[\"x\"]}");
        HttpResponse<String> tooLong = claim("small", "{\"owner\":\"eve\",\"parameters\":{\"k\":\"" + "x".repeat(4097) + "\"}}");

        assertThat(List.of(notText, badName, notObject, tooLong)).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(400));
        assertThat(JSON.readTree(notText.body()).get("error").asText()).contains("parameters.n must be text");
        assertThat(JSON.readTree(badName.body()).get("error").asText()).contains("'has space'");
        assertThat(JSON.readTree(notObject.body()).get("error").asText()).contains("parameters must be an object");
        assertThat(JSON.readTree(tooLong.body()).get("error").asText()).contains("parameters.k must be at most 4096");
        assertThat(owned("eve")).isEqualTo(before);
    }

    @Test
    void aFailingClaimScript_isClaimFailed_theNextPrebuildIsTried_andTheClientGetsIt_kUnchanged() throws Exception {
        awaitEligible("small", 2);
        int failedBefore = claimFailedWorkspaces().size();
        failNext(1);

        HttpResponse<String> r = claim("small", "{\"owner\":\"frank\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("id").asText();
        assertThat(Files.readString(root.resolve(id).resolve("owner.txt"))).contains("owner: frank");
        List<String> failed = claimFailedWorkspaces();
        assertThat(failed).hasSize(failedBefore + 1);
        String first = failed.get(failed.size() - 1);
        assertThat(first).as("another prebuild than the one handed over").isNotEqualTo(id);
        var event = dsl().fetchOne("select details::text from events where type = 'claim_failed' and workspace_id = ?::uuid", first);
        assertThat(event).isNotNull();
        assertThat(event.get(0, String.class)).contains("the infrastructure refused the handoff");
        assertThat(consecutiveFailures("small")).as("not a creation failure").isZero();
        // the failed prebuild is deleted by the workers, its directory removed, and replaced by the pool
        await().atMost(Duration.ofSeconds(60)).until(() -> "deleted".equals(dsl().fetchOne(
                "select phase::text from workspaces where id = ?::uuid", first).get(0, String.class)));
        assertThat(root.resolve(first)).doesNotExist();
        assertThat(owned("frank")).isEqualTo(1);
    }

    @Test
    void twoFailingHandoffs_are502NamingTheFailure_andCliExit1_nothingHandedOver() throws Exception {
        awaitEligible("small", 2);
        failNext(2);

        HttpResponse<String> r = claim("small", "{\"owner\":\"gina\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        assertThat(JSON.readTree(r.body()).get("error").asText())
                .contains("claim handoff failed for dev/small after 2 prebuilds", "CLAIM_FAILED", "refused the handoff");
        assertThat(owned("gina")).isZero();

        // a single prebuild that fails: no other to try, said so; through the CLI, exit 1
        awaitEligible("single", 1);
        failNext(1);
        CliRun cli = cli("claim", "dev/single", "--owner", "gina");
        assertThat(cli.exit()).as(cli.out() + cli.err()).isEqualTo(1);
        assertThat(cli.err()).contains("claim handoff failed for dev/single after 1 prebuild", "no other prebuild was eligible");
        assertThat(owned("gina")).isZero();
        assertThat(consecutiveFailures("single")).isZero();
    }

    @Test
    void aHandoffLongerThanTheClaimTimeout_isClaimFailed_andTheNextPrebuildIsHandedOver() throws Exception {
        awaitEligible("small", 2);
        Files.writeString(root.resolve("hang-next"), "1\n");

        HttpResponse<String> r = claim("small", "{\"owner\":\"hank\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("id").asText();
        var late = dsl().fetchOne("select workspace_id::text, details::text from events where type = 'claim_failed' "
                + "and details->>'owner' = 'hank'");
        assertThat(late).isNotNull();
        assertThat(late.get(1, String.class)).contains("did not finish within the claim timeout (4s)");
        assertThat(late.get(0, String.class)).isNotEqualTo(id);
        assertThat(dsl().fetchOne("select owner from workspaces where id = ?::uuid", late.get(0, String.class)).get(0, String.class))
                .as("the late prebuild is never handed out").isEqualTo("prebuilds");
        assertThat(owned("hank")).isEqualTo(1);
    }

    @Test
    void theSameIdempotencyKey_sequentiallyAndConcurrently_isOneHandedOverWorkspace_withTheMergedAnswer() throws Exception {
        awaitEligible("small", 3);
        HttpResponse<String> first = claim("small", "{\"owner\":\"ivy\",\"parameters\":{\"a\":\"1\"}}", "Idempotency-Key", "handoff-1");
        HttpResponse<String> again = claim("small", "{\"owner\":\"ivy\",\"parameters\":{\"a\":\"1\"}}", "Idempotency-Key", "handoff-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).as("the answer written after the handoff").isEqualTo(first.body());
        assertThat(JSON.readTree(again.body()).get("outputs").get("owner").asText()).isEqualTo("ivy");
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(owned("ivy")).isEqualTo(1);

        awaitEligible("small", 2);
        int clients = 6;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CyclicBarrier start = new CyclicBarrier(clients);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return claim("small", "{\"owner\":\"jack\"}", "Idempotency-Key", "handoff-together");
                }));
            }
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(201));
        assertThat(answers).extracting(HttpResponse::body).containsOnly(answers.get(0).body());
        assertThat(JSON.readTree(answers.get(0).body()).get("outputs").get("owner").asText()).isEqualTo("jack");
        assertThat(owned("jack")).as("one workspace").isEqualTo(1);
    }

    @Test
    void aWaitingClaim_isHandedOverWhenServed() throws Exception {
        awaitEligible("single", 1);
        HttpResponse<String> take = claim("single", "{\"owner\":\"kim\"}");
        assertThat(take.statusCode()).as(take.body()).isEqualTo(201);

        HttpResponse<String> waited = claim("single", "{\"owner\":\"lou\",\"wait\":\"60s\",\"parameters\":{\"x\":\"y\"}}");

        assertThat(waited.statusCode()).as(waited.body()).isEqualTo(201);
        JsonNode ws = JSON.readTree(waited.body());
        assertThat(ws.get("outputs").get("owner").asText()).isEqualTo("lou");
        assertThat(Files.readString(root.resolve(ws.get("id").asText()).resolve("owner.txt")))
                .contains("owner: lou", "WARMPOOL_PARAM_X=y");
    }
}
