package io.warmpool.application.service;

import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.fakes.FakeHistory;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase.PresetActivity;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetHistoryPort.ClaimCounts;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PrebuildPolicy.DesiredSpan;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Passes and pool samples recorded for operators, and a preset's recent past read back. */
class PresetHistoryServiceTest {

    private final World world = new World();
    private final FakeHistory history = new FakeHistory();
    private final PresetHistoryService service = new PresetHistoryService(world.clock, history, world.store, world.store,
            world.store);

    @Test
    void givenPassesWithinOneMinute_eachPassIsRecorded_butEachPresetIsSampledOncePerMinute() {
        // given: two presets; passes at 09:00:00, 09:00:20 and 09:01:05
        PresetId alpha = world.preset("alpha", 3);
        PresetId bravo = world.preset("bravo", 1);

        // when
        service.record(world.pass(), "r1");
        world.clock.advance(Duration.ofSeconds(20));
        service.record(world.pass(), "r1");
        world.clock.advance(Duration.ofSeconds(45));
        PassReport third = world.pass();
        service.record(third, "r2");

        // then: samples of the first and third pass only; the last pass is r2's
        assertThat(history.sampleBatches).containsExactly(2, 0, 2);
        assertThat(history.samples).extracting(s -> s.preset().template() + "@" + s.at())
                .containsExactly("alpha@" + T0, "bravo@" + T0, "alpha@" + T0.plusSeconds(65), "bravo@" + T0.plusSeconds(65));
        assertThat(history.samples.get(0).desired()).isEqualTo(3);
        assertThat(history.samples.get(2).starting()).isEqualTo(3);
        assertThat(service.lastPass()).contains(new PresetHistoryUseCase.LastPass(third.startedAt(), third.duration(), "r2", 2,
                third.creates(), third.deletes(), third.cancels(), 0));
        // pruned once per minute, a day back
        assertThat(history.prunes).containsExactly(T0.minus(Duration.ofHours(24)), T0.plusSeconds(60).minus(Duration.ofHours(24)));
        assertThat(alpha).isNotEqualTo(bravo);
    }

    @Test
    void aSkippedPassIsNotRecorded() {
        world.preset("alpha", 3);
        world.store.setPaused(true, T0);

        service.record(world.pass(), "r1");

        assertThat(history.passes).isEmpty();
        assertThat(history.samples).isEmpty();
        assertThat(service.lastPass()).isEmpty();
    }

    @Test
    void activity_givesTodaysScheduleInThePresetsZone_theLastHoursClaims_andTheSamplesOfTheWindow() {
        // given: a Berlin office-hours window; it is Monday 2025-03-03 09:00Z (10:00 in Berlin)
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        ScheduleWindow office = new ScheduleWindow(CronWindow.parse("* 8-17 * * 1-5"), 5);
        PresetId id = world.apply("python", "v1", new PresetDefinition("small", Map.of("cpu", "2"),
                new PrebuildPolicy(1, Duration.ZERO, new PrebuildSchedule(berlin, List.of(office))))).get(0);
        service.record(world.pass(), "r1");
        world.clock.advance(Duration.ofMinutes(90));
        service.record(world.pass(), "r1");
        history.claimCounts = new ClaimCounts(7, 2);

        // when
        PresetActivity activity = service.activity(PresetRef.parse("python/small"), Duration.ofHours(1));

        // then
        assertThat(activity.preset()).isEqualTo(id);
        assertThat(activity.zone()).isEqualTo(berlin);
        assertThat(activity.today()).isEqualTo(LocalDate.of(2025, 3, 3));
        assertThat(activity.schedule()).containsExactly(new DesiredSpan(0, 8, 1, null),
                new DesiredSpan(8, 18, 5, "* 8-17 * * 1-5"), new DesiredSpan(18, 24, 1, null));
        assertThat(activity.claims()).isEqualTo(new PresetHistoryUseCase.Claims(7, 2));
        assertThat(activity.claimsSince()).isEqualTo(world.clock.instant().minus(Duration.ofHours(1)));
        assertThat(history.claimQueries).containsExactly(activity.claimsSince());
        assertThat(activity.samples()).hasSize(1); // the 09:00 sample is older than the hour asked for
        assertThat(activity.samples().get(0).desired()).isEqualTo(5);
    }

    @Test
    void unknownPresetsAndBadArgumentsAreRejected() {
        world.preset("alpha", 1);

        assertThatThrownBy(() -> service.activity(PresetRef.parse("nope/small"), Duration.ofHours(1)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("nope/small");
        assertThatThrownBy(() -> service.recentBuilds(PresetRef.parse("nope/small"), 10)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> service.activity(PresetRef.parse("alpha/small"), Duration.ofHours(25)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.activity(PresetRef.parse("alpha/small"), Duration.ofSeconds(59)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.recentBuilds(PresetRef.parse("alpha/small"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.recentBuilds(PresetRef.parse("alpha/small"), 101)).isInstanceOf(IllegalArgumentException.class);
        assertThat(service.recentBuilds(PresetRef.parse("alpha/small"), 100)).isEmpty();
    }
}
