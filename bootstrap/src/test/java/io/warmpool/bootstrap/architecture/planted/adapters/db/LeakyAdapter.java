package io.warmpool.bootstrap.architecture.planted.adapters.db;

import io.warmpool.adapters.db.jooq.tables.records.PresetsRecord;
import java.util.List;
import java.util.Map;
import org.jooq.Result;

/** Breaks "row types stay inside the database adapter" four ways; {@code hidden()} is not public, so it may. */
public final class LeakyAdapter {

    public static final PresetsRecord LAST = null;

    public PresetsRecord presets() {
        return null;
    }

    public Map<String, Result<PresetsRecord>> byName() {
        return Map.of();
    }

    public void save(List<PresetsRecord> rows) {
    }

    PresetsRecord hidden() {
        return null;
    }
}
