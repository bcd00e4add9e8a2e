package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.DEMAND_HOURS;
import static io.warmpool.adapters.db.jooq.Tables.DEMAND_MINUTES;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;

import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.domain.Autoscale;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * {@link DemandHistoryPort} on the {@code demand_minutes} and {@code demand_hours} tables (V11): a batch of counts is
 * one statement (both upserts in one {@code with}), whatever its size, so that a replica's flush at each tick costs
 * one round trip; read by {@link JooqSnapshotAdapter}.
 */
final class JooqDemandHistoryAdapter implements DemandHistoryPort {

    /**
     * The counts as parallel arrays (template, preset, minute and hour as ISO-8601 text, claims), added to both
     * tables: grouped first, so that one batch may name a minute or an hour twice (an upsert may not touch a row
     * twice). A constant text, bound values.
     */
    static final String ADD_SQL = """
            with a as (
                select a.template, a.preset, a.minute::timestamptz as minute, a.hour::timestamptz as hour, a.claims
                from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int4[]) as a(template, preset, minute, hour, claims)
            ), minutes as (
                insert into demand_minutes as d (template, preset, minute, claims)
                select template, preset, minute, sum(claims)::int4 from a group by template, preset, minute
                on conflict (template, preset, minute) do update set claims = d.claims + excluded.claims
            )
            insert into demand_hours as d (template, preset, hour, claims)
            select template, preset, hour, sum(claims)::int4 from a group by template, preset, hour
            on conflict (template, preset, hour) do update set claims = d.claims + excluded.claims""";

    private final DSLContext dsl;

    JooqDemandHistoryAdapter(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public void addClaims(List<ClaimArrivals> arrivals) {
        Objects.requireNonNull(arrivals, "arrivals");
        if (arrivals.isEmpty()) {
            return;
        }
        int n = arrivals.size();
        String[] templates = new String[n];
        String[] presets = new String[n];
        String[] minutes = new String[n];
        String[] hours = new String[n];
        Integer[] claims = new Integer[n];
        for (int i = 0; i < n; i++) {
            ClaimArrivals a = arrivals.get(i);
            templates[i] = a.preset().template();
            presets[i] = a.preset().preset();
            minutes[i] = a.minute().toString();
            hours[i] = a.minute().truncatedTo(ChronoUnit.HOURS).toString();
            claims[i] = a.claims();
        }
        DbErrors.guardRun("adding claim arrivals", () -> dsl.execute(ADD_SQL, templates, presets, minutes, hours, claims));
    }

    @Override
    public void prune(Instant now) {
        Objects.requireNonNull(now, "now");
        DbErrors.guardRun("pruning the demand history", () -> dsl.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.deleteFrom(DEMAND_MINUTES).where(DEMAND_MINUTES.MINUTE.lt(now.minus(MINUTES_KEPT))).execute();
            Long longest = tx.select(DSL.max(PRESETS.AUTOSCALE_LOOKBACK_MS)).from(PRESETS).fetchOne(0, Long.class);
            Duration kept = longest == null ? Duration.ofDays(Autoscale.MAX_LOOKBACK_DAYS) : Duration.ofMillis(longest);
            // Hours that end at or before now − kept lie wholly outside every lookback.
            tx.deleteFrom(DEMAND_HOURS).where(DEMAND_HOURS.HOUR.lt(now.minus(kept).truncatedTo(ChronoUnit.HOURS))).execute();
        }));
    }
}
