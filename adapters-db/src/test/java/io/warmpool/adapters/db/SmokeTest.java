package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void applyThenSnapshot() {
        try (PostgresDatabase db = TestDatabase.newDatabase()) {
            Instant now = Instant.parse("2026-01-01T00:00:00Z");
            PostgresAdapters adapters = new PostgresAdapters(db, Clock.fixed(now, ZoneOffset.UTC));
            PresetsDocument doc = new PresetsDocument(List.of(new TemplateDefinition("t", "v1", false, false,
                    List.of(new PresetDefinition("p", Map.of("cpu", "2"), PrebuildPolicy.of(3))))));
            assertThat(adapters.presetStore().apply(doc, now)).isEqualTo(new PresetStorePort.Applied(1, 1, 1, 0));
            var snapshot = adapters.snapshots().load(PresetSnapshotPort.Scope.ALL);
            assertThat(snapshot.presets()).hasSize(1);
            assertThat(adapters.presetStore().resolve(new PresetRef("t", "p"))).isPresent();
        }
    }
}
