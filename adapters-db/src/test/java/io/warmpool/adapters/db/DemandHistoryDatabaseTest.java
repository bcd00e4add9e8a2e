package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.DEMAND_HOURS;
import static io.warmpool.adapters.db.jooq.Tables.DEMAND_MINUTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.application.port.out.DemandHistoryPort.ClaimArrivals;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JooqDemandHistoryAdapter} on real PostgreSQL, what only the tables show (what the snapshot reads back is
 * {@code DemandHistoryPortContract}): a flush of any size is one statement, and pruning drops minute rows past
 * {@link DemandHistoryPort#MINUTES_KEPT}.
 */
class DemandHistoryDatabaseTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final List<String> statements = new ArrayList<>();
    private JooqDemandHistoryAdapter demand;

    @BeforeEach
    void setUp() {
        ExecuteListener listener = new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                statements.add(ctx.sql());
            }
        };
        DSLContext counting = DSL.using(db.dsl().configuration().derive(new DefaultExecuteListenerProvider(listener)));
        demand = new JooqDemandHistoryAdapter(counting);
    }

    @Test
    void aFlushOfManyPresetsAndMinutes_isOneStatement_andAddsToWhatIsThere() {
        List<ClaimArrivals> batch = new ArrayList<>();
        for (int p = 0; p < 200; p++) {
            for (int m = 0; m < 5; m++) {
                batch.add(new ClaimArrivals(new PresetRef("t" + p % 7, "p" + p), T0.plus(Duration.ofMinutes(m * 20L)), 1 + m));
            }
        }

        demand.addClaims(batch);
        assertThat(statements).hasSize(1);
        demand.addClaims(batch);

        assertThat(db.dsl().fetchCount(DEMAND_MINUTES)).isEqualTo(1000);
        assertThat(db.dsl().fetchCount(DEMAND_HOURS)).as("minutes 0, 20, 40 in the first hour; 60, 80 in the next")
                .isEqualTo(400);
        assertThat(db.dsl().select(DEMAND_HOURS.CLAIMS).from(DEMAND_HOURS)
                .where(DEMAND_HOURS.TEMPLATE.eq("t0"), DEMAND_HOURS.PRESET.eq("p0"))
                .orderBy(DEMAND_HOURS.HOUR).fetch(DEMAND_HOURS.CLAIMS))
                .as("twice (1 + 2 + 3), twice (4 + 5)").containsExactly(12, 18);
        assertThat(db.dsl().fetchCount(DEMAND_MINUTES, DEMAND_MINUTES.CLAIMS.eq(2))).as("twice 1").isEqualTo(200);
    }

    @Test
    void anEmptyFlush_runsNoStatement() {
        demand.addClaims(List.of());
        assertThat(statements).isEmpty();
    }

    @Test
    void prune_dropsMinuteRowsOlderThanTwoHours_andKeepsTheRest() {
        PresetRef ref = new PresetRef("python-dev", "small");
        Instant now = T0.plus(Duration.ofHours(3));
        demand.addClaims(List.of(new ClaimArrivals(ref, now.minus(Duration.ofMinutes(121)), 1),
                new ClaimArrivals(ref, now.minus(Duration.ofMinutes(120)), 2),
                new ClaimArrivals(ref, now.minus(Duration.ofMinutes(5)), 3)));

        demand.prune(now);

        assertThat(db.dsl().select(DEMAND_MINUTES.CLAIMS).from(DEMAND_MINUTES).orderBy(DEMAND_MINUTES.MINUTE)
                .fetch(DEMAND_MINUTES.CLAIMS)).containsExactly(2, 3);
        assertThat(db.dsl().fetchCount(DEMAND_HOURS)).as("hours 9:00, 10:00 and 11:00 are kept for the lookback (90 days: no autoscale)")
                .isEqualTo(3);
    }

    @Test
    void theTablesRejectNonPositiveCounts() {
        assertThatThrownBy(() -> db.dsl().execute("insert into demand_hours (template, preset, hour, claims) "
                + "values ('a', 'b', '2026-03-02T09:00:00Z', 0)")).hasMessageContaining("demand_hours_claims_positive");
    }
}
