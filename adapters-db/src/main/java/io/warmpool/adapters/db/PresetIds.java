package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;

import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.PresetId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.Record4;
import org.jooq.Result;
import org.jooq.impl.DSL;

/**
 * Maps domain preset identities (template, version, name) to the database's row ids and back. A preset's
 * identity never changes once created and presets are never deleted, so the mapping is cached forever.
 */
final class PresetIds {

    private final Map<PresetId, Long> ids = new ConcurrentHashMap<>();
    private final Map<Long, PresetId> presets = new ConcurrentHashMap<>();

    void remember(long rowId, PresetId id) {
        // Every claim remembers its preset: a read first, so that concurrent claims of the same preset do not
        // all lock the same map bins to write what is already there.
        Long known = ids.get(id);
        if (known == null || known != rowId) {
            ids.put(id, rowId);
        }
        if (!id.equals(presets.get(rowId))) {
            presets.put(rowId, id);
        }
    }

    /** The identity of a row id when it is cached, else null; never a query. */
    PresetId cached(long rowId) {
        return presets.get(rowId);
    }

    /** The identity of a row id as read from the database, remembered; the cached instance when there is one. */
    PresetId remembered(long rowId, String template, String version, String preset) {
        PresetId cached = presets.get(rowId);
        if (cached != null) {
            return cached;
        }
        PresetId id = new PresetId(template, version, preset);
        remember(rowId, id);
        return id;
    }

    /** The row id of {@code id}; one query on a cache miss. @throws NotFoundException when there is no such preset */
    long rowId(DSLContext dsl, PresetId id) {
        Long cached = ids.get(id);
        if (cached != null) {
            return cached;
        }
        Map<PresetId, Long> found = rowIds(dsl, Set.of(id));
        Long rowId = found.get(id);
        if (rowId == null) {
            throw new NotFoundException("preset " + id + " does not exist");
        }
        return rowId;
    }

    /** Row ids of many presets with at most one query. Unknown presets are left out. */
    Map<PresetId, Long> rowIds(DSLContext dsl, Collection<PresetId> wanted) {
        Map<PresetId, Long> out = new HashMap<>();
        java.util.List<PresetId> missing = new java.util.ArrayList<>();
        for (PresetId id : wanted) {
            Long cached = ids.get(id);
            if (cached != null) {
                out.put(id, cached);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            var condition = DSL.row(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME).in(
                    missing.stream().map(p -> DSL.row(p.template(), p.version(), p.preset())).toList());
            Result<Record4<Long, String, String, String>> rows = dsl
                    .select(PRESETS.ID, TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME)
                    .from(PRESETS)
                    .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                    .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                    .where(condition)
                    .fetch();
            for (var r : rows) {
                PresetId id = new PresetId(r.value2(), r.value3(), r.value4());
                remember(r.value1(), id);
                out.put(id, r.value1());
            }
        }
        return out;
    }

    /** The identity of a row id; one query on a cache miss. */
    PresetId presetOf(DSLContext dsl, long rowId) {
        PresetId cached = presets.get(rowId);
        if (cached != null) {
            return cached;
        }
        var r = dsl.select(TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME)
                .from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(PRESETS.ID.eq(rowId))
                .fetchOne();
        if (r == null) {
            throw new NotFoundException("preset row " + rowId + " does not exist");
        }
        PresetId id = new PresetId(r.value1(), r.value2(), r.value3());
        remember(rowId, id);
        return id;
    }
}
