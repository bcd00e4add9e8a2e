package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.MutableClock;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.application.port.out.DemandHistoryPort.ClaimArrivals;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DemandHistoryPort} (SPEC R13), read back through the snapshot
 * ({@link PresetSnapshot#demand()}) as the pass reads it, and of the autoscale policy the preset store keeps: counts
 * add up per preset name, hour and minute; the snapshot gives presets with autoscale the whole UTC hours that may
 * intersect their lookback, the last hour's arrivals and their last 50 build times, and {@link DemandHistory#NONE} to
 * the others; a new version keeps its name's history; pruning drops hours beyond the longest lookback.
 */
public abstract class DemandHistoryPortContract extends PortContract {

    private static final PresetRef SMALL = new PresetRef("python-dev", "small");
    private static final Autoscale TWO_DAYS = new Autoscale(0.99, 0, 20, Duration.ofDays(2));
    private static final WorkerId WORKER = new WorkerId("host-a/w1");

    /** The demand port and a snapshot reading demand as of its clock, over the same data as {@link #store}. */
    public record Demand(DemandHistoryPort port, PresetSnapshotPort snapshots) {
    }

    /** Called after {@link #newStore()}; the snapshot's {@code now} is {@code clock.instant()}. */
    protected abstract Demand demand(Clock clock);

    /** A clock the tests move. */
    private final MutableClock clock = new MutableClock(T0);
    private Demand demand;

    @BeforeEach
    void openDemand() {
        demand = demand(clock);
    }

    private PresetId apply(String version, PrebuildPolicy policy, Instant at) {
        PresetDefinition preset = new PresetDefinition("small", Map.of("cpu", "2"), policy);
        TemplateDefinition template = new TemplateDefinition(SMALL.template(), version, false, false, List.of(preset));
        assertThat(store.presets().apply(new PresetsDocument(List.of(template)), at))
                .isInstanceOf(io.warmpool.application.port.out.PresetStorePort.Applied.class);
        return template.idOf(preset);
    }

    private PresetId autoscaled(String version, Autoscale autoscale, Instant at) {
        return apply(version, PrebuildPolicy.of(2).withAutoscale(autoscale), at);
    }

    private PresetSnapshot snapshot(PresetId id) {
        List<PresetSnapshot> presets = demand.snapshots().load(Scope.of(Set.of(id))).presets();
        assertThat(presets).hasSize(1);
        return presets.get(0);
    }

    private DemandHistory read(PresetId id) {
        return snapshot(id).demand();
    }

    private void add(PresetRef ref, Instant minute, int claims) {
        demand.port().addClaims(List.of(new ClaimArrivals(ref, minute, claims)));
    }

    /** A create of {@code preset} enqueued at {@code at} that became ready {@code took} later. */
    private void built(PresetId preset, Instant at, Duration took) {
        CreateRequest create = PortSeed.creates(preset, 1).get(0);
        store.queue().enqueueCreates(List.of(create), at);
        Job job = store.queue().acquire(WORKER, at).orElseThrow();
        assertThat(job.workspace()).isEqualTo(create.workspace());
        store.queue().complete(job.id(), WORKER, new JobResult.Succeeded(Map.of(), "built"), at.plus(took),
                s -> new FailureTransition(s, s));
    }

    // ------------------------------------------------------------------ the policy

    @Test
    void anAutoscalePolicy_readsBackAsApplied_andChangesInPlace() {
        PrebuildPolicy applied = new PrebuildPolicy(0, Duration.ofHours(8),
                new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 4))),
                new Readiness(Readiness.Check.PROVISIONER, Duration.ofMinutes(10)), new Liveness(Duration.ofMinutes(1), 2))
                .withAutoscale(new Autoscale(0.95, 1, 7, Duration.ofHours(36)));
        PresetId id = apply("v1", applied, T0);
        assertThat(snapshot(id).policy()).isEqualTo(applied);

        PrebuildPolicy changed = applied.withAutoscale(new Autoscale(0.999, 0, 1000, Duration.ofDays(90)));
        apply("v1", changed, T0.plusSeconds(60));
        assertThat(snapshot(id).policy()).isEqualTo(changed);

        PrebuildPolicy none = applied.withAutoscale(null);
        apply("v1", none, T0.plusSeconds(120));
        assertThat(snapshot(id).policy()).isEqualTo(none);
        assertThat(snapshot(id).policy().autoscale()).isNull();
    }

    // ------------------------------------------------------------------ what the snapshot reads

    @Test
    void givenAPresetWithoutAutoscale_itsDemandIsNone_evenWithCountsStored() {
        PresetId id = apply("v1", PrebuildPolicy.of(2), T0);
        add(SMALL, T0, 3);
        built(id, T0, Duration.ofSeconds(5));
        clock.set(T0.plus(Duration.ofMinutes(10)));

        assertThat(read(id)).isSameAs(DemandHistory.NONE);
    }

    @Test
    void countsOfOneBatchAndOfSeveral_addUpPerHour_andTheLastHourIsTheMinutesStartingInIt() {
        PresetId id = autoscaled("v1", TWO_DAYS, T0);
        demand.port().addClaims(List.of(new ClaimArrivals(SMALL, T0.plus(Duration.ofMinutes(5)), 2),
                new ClaimArrivals(SMALL, T0.plus(Duration.ofMinutes(30)), 3),
                new ClaimArrivals(SMALL, T0.plus(Duration.ofMinutes(30)), 1),
                new ClaimArrivals(new PresetRef("go-dev", "small"), T0, 9)));
        add(SMALL, T0.plus(Duration.ofMinutes(5)), 1);
        add(SMALL, T0.plus(Duration.ofMinutes(70)), 4);

        clock.set(T0.plus(Duration.ofMinutes(89)));
        DemandHistory at89 = read(id);
        assertThat(at89.claimsByHour()).containsExactly(Map.entry(T0, 7), Map.entry(T0.plus(Duration.ofHours(1)), 4));
        assertThat(at89.claimsLastHour()).as("minutes 30 (4) and 70 (4) start in (29m, 89m]").isEqualTo(8);
        assertThat(at89.since()).isEqualTo(T0);

        clock.set(T0.plus(Duration.ofMinutes(90)));
        assertThat(read(id).claimsLastHour()).as("(30m, 90m]: minute 30 no longer").isEqualTo(4);

        clock.set(T0.plus(Duration.ofMinutes(65)));
        assertThat(read(id).claimsLastHour()).as("(5m, 65m]: minute 30 only; minute 70 is after now").isEqualTo(4);
        assertThat(read(id).claimsByHour()).as("hours that start before now")
                .containsExactly(Map.entry(T0, 7), Map.entry(T0.plus(Duration.ofHours(1)), 4));
    }

    @Test
    void onlyHoursThatMayIntersectTheLookback_areRead() {
        PresetId id = autoscaled("v1", new Autoscale(0.9, 0, 5, Duration.ofHours(2)), T0);
        for (int h = 0; h < 6; h++) {
            add(SMALL, T0.plus(Duration.ofHours(h)), h + 1);
        }
        clock.set(T0.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(30)));

        // [now − 2h, now) = [3:30, 5:30): the hours starting at 3:00, 4:00 and 5:00
        assertThat(read(id).claimsByHour()).containsExactly(Map.entry(T0.plus(Duration.ofHours(3)), 4),
                Map.entry(T0.plus(Duration.ofHours(4)), 5), Map.entry(T0.plus(Duration.ofHours(5)), 6));
    }

    @Test
    void aNewVersion_keepsTheHistoryOfItsPresetName_fromItsFirstCreation() {
        PresetId v1 = autoscaled("v1", TWO_DAYS, T0);
        add(SMALL, T0.plus(Duration.ofMinutes(1)), 2);
        built(v1, T0.plus(Duration.ofMinutes(1)), Duration.ofSeconds(40));
        PresetId v2 = autoscaled("v2", TWO_DAYS, T0.plus(Duration.ofHours(3)));
        add(SMALL, T0.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(1)), 1);
        built(v2, T0.plus(Duration.ofHours(3)), Duration.ofSeconds(20));
        clock.set(T0.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(30)));

        DemandHistory demandV2 = read(v2);
        assertThat(demandV2.since()).isEqualTo(T0);
        assertThat(demandV2.claimsByHour()).containsExactly(Map.entry(T0, 2), Map.entry(T0.plus(Duration.ofHours(3)), 1));
        assertThat(demandV2.buildTimes()).containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(40));
    }

    @Test
    void buildTimes_areTheLast50CreatesThatBecameReady_newestFirst() {
        PresetId id = autoscaled("v1", TWO_DAYS, T0);
        for (int i = 1; i <= 52; i++) {
            built(id, T0.plus(Duration.ofMinutes(i)), Duration.ofSeconds(i));
        }
        store.queue().enqueueCreates(PortSeed.creates(id, 1), T0.plus(Duration.ofMinutes(60))); // not ready: not counted
        clock.set(T0.plus(Duration.ofHours(2)));

        List<Duration> expected = new ArrayList<>();
        for (int i = 52; i >= 3; i--) {
            expected.add(Duration.ofSeconds(i));
        }
        assertThat(read(id).buildTimes()).containsExactlyElementsOf(expected);
    }

    @Test
    void noHistoryYet_readsAsEmpty() {
        PresetId id = autoscaled("v1", TWO_DAYS, T0);
        clock.set(T0.plusSeconds(1));

        DemandHistory history = read(id);
        assertThat(history.since()).isEqualTo(T0);
        assertThat(history.claimsByHour()).isEmpty();
        assertThat(history.claimsLastHour()).isZero();
        assertThat(history.buildTimes()).isEmpty();
    }

    // ------------------------------------------------------------------ pruning

    @Test
    void prune_dropsHoursBeyondTheLongestLookback_andKeepsTheOthers() {
        PresetId id = autoscaled("v1", TWO_DAYS, T0);
        Instant now = T0.plus(Duration.ofDays(3));
        add(SMALL, T0.plus(Duration.ofHours(20)), 1);  // ends 2d 3h before now: beyond two days
        add(SMALL, T0.plus(Duration.ofHours(23)), 2);  // ends at now − 2d: wholly outside
        add(SMALL, T0.plus(Duration.ofHours(24)), 3);  // [now − 2d, …): inside
        clock.set(now);

        // Widen the lookback after pruning: what was pruned stays gone, what was kept shows.
        demand.port().prune(now);
        autoscaled("v1", new Autoscale(0.99, 0, 20, Duration.ofDays(4)), T0);
        assertThat(read(id).claimsByHour()).containsExactly(Map.entry(T0.plus(Duration.ofHours(24)), 3));
    }

    @Test
    void prune_keepsNinetyDaysWhenNoPresetHasAutoscale() {
        PresetId id = apply("v1", PrebuildPolicy.of(1), T0);
        add(SMALL, T0, 1);
        add(SMALL, T0.plus(Duration.ofDays(1)), 2);
        Instant now = T0.plus(Duration.ofDays(90)).plus(Duration.ofHours(12));
        clock.set(now);

        demand.port().prune(now);
        autoscaled("v1", new Autoscale(0.99, 0, 20, Duration.ofDays(90)), T0);
        assertThat(read(id).claimsByHour()).containsExactly(Map.entry(T0.plus(Duration.ofDays(1)), 2));
    }
}
