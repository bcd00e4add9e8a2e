package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Security (SPEC §7 "SQL is always bound"): free text — parameter names and values of a preset, a provisioner's
 * outputs, errors and logs, event details — holding SQL and shell metacharacters, quotes, backslashes, LIKE
 * wildcards, newlines, unicode and emoji goes through PostgreSQL and comes back exactly as it went in; re-applying
 * the same presets is not mistaken for a change; and the schema is intact afterwards (no statement was injected).
 *
 * <p>Database-only by nature (SQL injection and the schema checked afterwards); the ports' contract on text (names
 * stored exactly) is also in the shared suite, {@code BuildQueuePortContract}.
 */
class LiteralTextDatabaseTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plusSeconds(60);
    private static final WorkerId WORKER = new WorkerId("host/w1");

    /** What an attacker or an unlucky operator would write, and some text seeded at random. */
    static Stream<String> hostile() {
        List<String> texts = new ArrayList<>(List.of(
                "'; drop table presets; --",
                "' or '1'='1",
                "\"; delete from workspaces where \"\"=\"",
                "$(touch /tmp/warmpool-pwned)",
                "`touch /tmp/warmpool-pwned`",
                "a; rm -rf / && echo $HOME | cat > /dev/null",
                "back\\slash \\' \\\" \\\\ \\n",
                "100% _like_ %wildcards%",
                "line 1\nline 2\r\nline 3\ttab",
                "$1 $$ $tag$ dollar-quoted $tag$",
                "/* comment */ -- comment",
                "{\"json\": [1, 2]}",
                "ü 日本語 😀 \u202e right-to-left \u2028 \ufeff",
                "\u0001\u0007\u001b[31m escape codes",
                " leading and trailing spaces ",
                ""));
        Random random = new Random(8301);
        String alphabet = "'\";`$(){}[]\\%_*?!&|<>#-/\n\t aZ9ü😀";
        int[] codePoints = alphabet.codePoints().toArray();
        for (int i = 0; i < 8; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int j = 0; j < length; j++) {
                sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            texts.add(sb.toString());
        }
        return texts.stream();
    }

    private JooqPresetStoreAdapter store;
    private JooqBuildQueueAdapter queue;
    private JooqWorkspaceAdapter workspaces;
    private JooqEventLogAdapter events;
    private Injector adapters;

    @BeforeEach
    void adapters() {
        adapters = PostgresModuleOver.started(db, Clock.fixed(NOW, ZoneOffset.UTC));
        store = adapters.getInstance(JooqPresetStoreAdapter.class);
        queue = adapters.getInstance(JooqBuildQueueAdapter.class);
        workspaces = adapters.getInstance(JooqWorkspaceAdapter.class);
        events = adapters.getInstance(JooqEventLogAdapter.class);
    }

    private static PresetsDocument document(Map<String, String> parameters) {
        return new PresetsDocument(List.of(new TemplateDefinition("python-dev", "v1", false, false,
                List.of(new PresetDefinition("small", parameters, PrebuildPolicy.of(1))))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hostile")
    void hostileTextRoundTripsExactly_throughPresetsJobsOutputsBuildsAndEvents(String text) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("value", text);
        if (!text.isBlank()) {
            parameters.put(text, "as a name");
        }
        PresetsDocument document = document(parameters);

        // Presets: stored, and the same file again is no change of parameters (the immutability check compares the
        // stored parameters with the file's: a lossy round trip would reject it).
        assertThat(store.apply(document, T0)).isInstanceOf(PresetStorePort.Applied.class);
        assertThat(store.apply(document, T0.plusSeconds(1))).isInstanceOf(PresetStorePort.Applied.class);
        PresetId id = new PresetId("python-dev", "v1", "small");

        // Jobs carry the parameters to the provisioner exactly.
        WorkspaceId ws = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(ws, "prebuild-1", id)), NOW);
        Job job = queue.acquire(WORKER, NOW).orElseThrow();
        assertThat(job.parameters()).isEqualTo(parameters);

        // Outputs and the build log come back exactly; the claim hands the outputs to the user.
        Map<String, String> outputs = new LinkedHashMap<>(Map.of("url", "https://ws/" + text, "note", text));
        if (!text.isEmpty()) {
            outputs.put(text, "key");
        }
        queue.complete(job.id(), WORKER, new JobResult.Succeeded(outputs, "log: " + text), NOW, s -> new FailureTransition(s, s));
        assertThat(workspaces.builds(ws)).singleElement().satisfies(b -> assertThat(b.log()).isEqualTo("log: " + text));
        // Claimed with an idempotency key of SQL metacharacters: its stored copy replays the outputs exactly too.
        String key = "k';--\"$$\\x00%_";
        ClaimPort claims = adapters.getInstance(ClaimPort.class);
        ClaimPort.Attempt claim = claims.claim(new PresetRef("python-dev", "small"), "alice", "alice-ws", NOW, key);
        assertThat(claim).isInstanceOfSatisfying(ClaimPort.Claimed.class,
                c -> assertThat(c.workspace().outputs()).isEqualTo(outputs));
        assertThat(claims.claim(new PresetRef("python-dev", "small"), "alice", "alice-ws", NOW, key))
                .isEqualTo(new ClaimPort.Claimed(((ClaimPort.Claimed) claim).workspace(), true));
        assertThat(workspaces.find(ws)).hasValueSatisfying(v -> assertThat(v.outputs()).isEqualTo(outputs));

        // A failed build's error text too.
        WorkspaceId failing = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(failing, "prebuild-2", id)), NOW);
        Job second = queue.acquire(WORKER, NOW).orElseThrow();
        queue.complete(second.id(), WORKER, new JobResult.Failed("failed", "error: " + text, false, text), NOW,
                s -> new FailureTransition(s, s));
        assertThat(workspaces.builds(failing)).singleElement().satisfies(b -> {
            assertThat(b.error()).isEqualTo("error: " + text);
            assertThat(b.log()).isEqualTo(text);
        });

        // Event details.
        events.publish(List.of(Event.of(NOW, EventType.CREATE_FAILED, id, failing).with("error", text)));
        assertThat(events.recent(1)).singleElement().satisfies(e -> assertThat(e.details()).containsEntry("error", text));

        assertSchemaIntact();
    }

    @Test
    void aNulInProvisionerText_isStoredAsAReplacementCharacter_notAFailedWrite() {
        // Parameters with NUL are rejected by the validator; a provisioner's output is not validated, so the store
        // keeps it storable (PostgreSQL text cannot hold U+0000) rather than failing to record the build.
        store.apply(document(Map.of("cpu", "2")), T0);
        PresetId id = new PresetId("python-dev", "v1", "small");
        WorkspaceId ws = new WorkspaceId(UUID.randomUUID());
        queue.enqueueCreates(List.of(new CreateRequest(ws, "prebuild-1", id)), NOW);
        Job job = queue.acquire(WORKER, NOW).orElseThrow();

        queue.complete(job.id(), WORKER, new JobResult.Succeeded(Map.of("url", "a\u0000b"), "log\u0000"), NOW,
                s -> new FailureTransition(s, s));

        assertThat(workspaces.find(ws)).hasValueSatisfying(v -> assertThat(v.outputs()).containsEntry("url", "a\uFFFDb"));
        assertThat(workspaces.builds(ws)).singleElement().satisfies(b -> assertThat(b.log()).isEqualTo("log\uFFFD"));
    }

    @Test
    void anEventWhoseDetailsHoldANul_isStillRecorded() {
        store.apply(document(Map.of("cpu", "2")), T0);
        PresetId id = new PresetId("python-dev", "v1", "small");

        events.publish(List.of(Event.of(NOW, EventType.CREATE_FAILED, id, null).with("error", "exit\u0000code")));

        assertThat(events.recent(1)).singleElement().satisfies(e ->
                assertThat(e.details().get("error")).isEqualTo("exit\uFFFDcode"));
    }

    private void assertSchemaIntact() {
        List<String> tables = db.dsl().fetch("select table_name from information_schema.tables where table_schema = 'public' "
                + "and table_name <> 'flyway_schema_history' order by 1").getValues(0, String.class);
        assertThat(tables).containsExactly("builds", "claim_idempotency_keys", "claim_waiters", "demand_hours", "demand_minutes", "events", "pool_samples", "preset_failure_states",
                "preset_schedule_windows", "presets", "reconcile_passes", "settings", "template_versions", "templates",
                "workspaces");
        assertThat(db.dsl().fetchCount(db.dsl().selectFrom("presets"))).isEqualTo(1);
        assertThat(WorkspacePort.PREBUILDS_OWNER).isEqualTo("prebuilds");
    }
}
