package io.warmpool.application.service;

import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.fakes.Presets;
import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.DryRun;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.in.Workspace.Phase;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.autoscale.Forecast;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.BlockReason;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PlannerSettings;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A5 — status and the dry-run plan are read-only. */
class InspectServiceTest {

    private final World world = new World();
    private PresetId alpha;
    private PresetId bravo;
    private PresetId charlie;

    @BeforeEach
    void givenPresetsInEveryKindOfState() {
        // alpha: 1 of 3 ready, 1 create queued; bravo: in backoff; charlie: hard-limited. Reconciliation paused.
        alpha = world.preset("alpha", 3);
        bravo = world.preset("bravo", 2);
        charlie = world.preset("charlie", 1);
        world.store.seedReadyPrebuild(alpha, id(901), T0.minusSeconds(600), Map.of("url", "https://ws/901"));
        world.apply("alpha", "v1", Presets.preset("small", 2));
        world.pass(alpha);
        world.apply("alpha", "v1", Presets.preset("small", 3));
        world.store.setFailureState(bravo, new FailureState(1, T0, T0.plusSeconds(60), PresetStatus.HEALTHY));
        world.store.setFailureState(charlie, new FailureState(3, T0, T0.plusSeconds(180), PresetStatus.HARD_LIMITED));
        world.store.setPaused(true, T0);
        world.clock.advance(Duration.ofSeconds(10));
        world.events.clear();
    }

    @Test
    void statusReportsEveryPresetsStateAndPlanWithoutChangingAnything() {
        // given
        String before = world.store.dump();
        int passesBefore = world.metrics.passes().size();

        // when
        StatusReport status = world.inspect().status();

        // then
        assertThat(status.at()).isEqualTo(T0.plusSeconds(10));
        assertThat(status.paused()).isTrue();
        assertThat(status.queuedCreates()).isEqualTo(1);
        assertThat(status.failures()).isEmpty();
        assertThat(status.presets()).extracting(PresetPlan::id).containsExactly(alpha, bravo, charlie);
        PresetPlan a = status.presets().get(0);
        assertThat(a.state().desired()).isEqualTo(3);
        assertThat(a.state().eligible()).hasSize(1);
        assertThat(a.state().starting()).isEqualTo(1);
        assertThat(a.state().queued()).isEqualTo(1);
        assertThat(a.actions()).containsExactly(new PlanAction.Create(1));
        PresetPlan b = status.presets().get(1);
        assertThat(b.state().failure().consecutiveFailures()).isEqualTo(1);
        assertThat(b.actions()).containsExactly(new PlanAction.Blocked(BlockReason.BACKOFF, 2, 0, T0.plusSeconds(60)));
        PresetPlan c = status.presets().get(2);
        assertThat(c.state().failure().status()).isEqualTo(PresetStatus.HARD_LIMITED);
        assertThat(c.actions()).containsExactly(new PlanAction.Blocked(BlockReason.HARD_LIMITED, 1, 0, null));
        // nothing was written, published, nudged or measured
        assertThat(world.store.dump()).isEqualTo(before);
        assertThat(world.events.all()).isEmpty();
        assertThat(world.store.nudges()).isEmpty();
        assertThat(world.metrics.passes()).hasSize(passesBefore);
    }

    @Test
    void planShowsWhatTheNextPassWouldDoIncludingThePendingCap() {
        // given: room for one more queued create only
        world.reconcileSettings = new ReconcileSettings(PlannerSettings.DEFAULTS, 1);
        world.store.setPaused(false, T0);
        world.store.setFailureState(bravo, FailureState.initial());
        String before = world.store.dump();

        // when
        DryRun plan = world.inspect().plan();

        // then: the cap is full already (alpha's queued create), so nothing more would be created
        assertThat(plan.paused()).isFalse();
        assertThat(plan.presets()).extracting(DryRun.PresetActions::preset).containsExactly(alpha, bravo, charlie);
        assertThat(plan.presets().get(0).actions())
                .containsExactly(new PlanAction.Blocked(BlockReason.PENDING_CAP, 1, 0, null));
        assertThat(plan.presets().get(1).actions())
                .containsExactly(new PlanAction.Blocked(BlockReason.PENDING_CAP, 2, 0, null));
        assertThat(world.store.dump()).isEqualTo(before);
        // and the pass does just that
        assertThat(world.pass().plans()).extracting(p -> new DryRun.PresetActions(p.id(), p.actions()))
                .isEqualTo(plan.presets());
    }

    @Test
    void onePreset_isItsActiveVersionPlannedFromItsOwnSnapshot_asInTheStatus() {
        // when
        PresetPlan one = world.inspect().preset(new PresetRef("bravo", "small"));

        // then
        assertThat(one).isEqualTo(world.inspect().status().presets().get(1));
        assertThat(one.id()).isEqualTo(bravo);
        assertThatThrownBy(() -> world.inspect().preset(new PresetRef("bravo", "large")))
                .isInstanceOf(NotFoundException.class).hasMessage("preset bravo/large does not exist");
    }

    @Test
    void onePreset_withoutAnActiveVersion_isItsOnlyVersion_orNotFoundNamingTheVersions() {
        // given: bravo v2 drops "small", so bravo/small has one version left, inactive — still shown while it has a
        // prebuild (a whole snapshot leaves out inactive versions with none, on PostgreSQL as in the fake)
        world.store.seedReadyPrebuild(bravo, id(902), T0.minusSeconds(60), Map.of());
        world.apply("bravo", "v2", Presets.preset("large", 1));

        // when
        PresetPlan only = world.inspect().preset(new PresetRef("bravo", "small"));

        // then
        assertThat(only.id()).isEqualTo(bravo);
        assertThat(only.state().active()).isFalse();

        // given: v3 brings "small" back and v4 drops it again: two inactive versions, each with a prebuild
        List<PresetId> v3 = world.apply("bravo", "v3", Presets.preset("small", 1));
        world.store.seedReadyPrebuild(v3.get(0), id(903), T0.minusSeconds(60), Map.of());
        world.apply("bravo", "v4", Presets.preset("large", 1));
        assertThatThrownBy(() -> world.inspect().preset(new PresetRef("bravo", "small")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("preset bravo/small has no active version (versions [v1, v3])");
    }

    @Test
    void onePreset_withoutAnActiveVersionOrPrebuilds_isNotFound() {
        world.apply("bravo", "v2", Presets.preset("large", 1));

        assertThatThrownBy(() -> world.inspect().preset(new PresetRef("bravo", "small")))
                .isInstanceOf(NotFoundException.class).hasMessage("preset bravo/small does not exist");
    }

    @Test
    void workspacesAndBuildsAreListedNewestFirstAndUnknownOnesAreNotFound() {
        // when
        var listed = world.inspect().workspaces(new PresetRef("alpha", "small"), null, 10);

        // then
        assertThat(listed).extracting(Workspace::phase).containsExactly(Phase.STARTING, Phase.RUNNING);
        WorkspaceId ready = id(901);
        assertThat(world.inspect().workspace(ready).outputs()).containsEntry("url", "https://ws/901");
        assertThat(world.inspect().builds(ready)).extracting(Build::transition).containsExactly(Build.Transition.CREATE);
        assertThat(world.inspect().workspaces(null, "nobody", 10)).isEmpty();
        assertThatThrownBy(() -> world.inspect().workspaces(new PresetRef("alpha", "large"), null, 10))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> world.inspect().workspaces(null, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> world.inspect().workspace(id(4242))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> world.inspect().builds(id(4242))).isInstanceOf(NotFoundException.class);
    }
    @Test
    void planCarriesTheSizingOfAutoscaledPresets_andNothingForTheOthers() {
        // given an autoscaled preset (no demand measured yet: N = 0, so desired is its min) beside the fixed ones
        PresetId delta = world.apply("delta", "v1", Presets.preset("small", Map.of("size", "small"),
                PrebuildPolicy.of(0).withAutoscale(new Autoscale(0.99, 2, 10, Duration.ofDays(14))))).get(0);

        // when
        DryRun plan = world.inspect().plan();

        // then: the sizing the pass computed, the same as the status's, and no sizing for the others
        assertThat(plan.presets()).extracting(DryRun.PresetActions::preset).containsExactly(alpha, bravo, charlie, delta);
        DryRun.PresetActions d = plan.presets().get(3);
        assertThat(d.sizing()).isNotNull();
        assertThat(d.sizing().forecast().source()).isEqualTo(Forecast.Source.NO_HISTORY);
        assertThat(d.sizing().desired()).isEqualTo(2);
        assertThat(d.sizing()).isEqualTo(world.inspect().status().presets().get(3).state().sizing());
        assertThat(plan.presets().subList(0, 3)).allSatisfy(p -> assertThat(p.sizing()).isNull());
    }

    // ---- pagination (issue 18)

    @Test
    void givenMoreWorkspacesThanALimit_walkingWithNextListsEveryOneOnceInOrder_thenNextIsNull() {
        for (int i = 0; i < 6; i++) {
            // two at each instant: ties are ordered by id
            world.store.seedReadyPrebuild(bravo, id(910 + i), T0.minusSeconds(300 - (i / 2) * 10), Map.of());
        }
        List<WorkspaceId> everything = world.inspect().workspaces(null, null, null, 1000).items().stream()
                .map(Workspace::id).toList();
        assertThat(everything).hasSizeGreaterThan(7).contains(id(901)); // and alpha's

        for (int limit : new int[] {1, 2, 3, 6, everything.size(), everything.size() + 1}) {
            List<WorkspaceId> walked = new java.util.ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                io.warmpool.application.port.in.Page<Workspace> page = world.inspect().workspaces(null, null, cursor, limit);
                assertThat(page.items()).hasSizeLessThanOrEqualTo(limit).isNotEmpty();
                page.items().forEach(w -> walked.add(w.id()));
                cursor = page.next();
                pages++;
            } while (cursor != null && pages < 20);
            assertThat(cursor).as("limit %s", limit).isNull();
            assertThat(walked).as("limit %s", limit).containsExactlyElementsOf(everything);
            assertThat(pages).as("no empty last page").isEqualTo((everything.size() + limit - 1) / limit);
        }
        // with a filter: only bravo's, still every one once
        List<WorkspaceId> bravos = new java.util.ArrayList<>();
        var first = world.inspect().workspaces(PresetRef.parse("bravo/small"), null, null, 4);
        first.items().forEach(w -> bravos.add(w.id()));
        world.inspect().workspaces(PresetRef.parse("bravo/small"), null, first.next(), 4).items()
                .forEach(w -> bravos.add(w.id()));
        assertThat(bravos).hasSize(6).doesNotContain(id(901));
    }

    @Test
    void givenACursorNotFromThisList_itIsRejected() {
        String buildCursor = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("b1|5".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String bad : List.of("x", "!!!", "d2F0", buildCursor, "w1|2026|nope")) {
            assertThatThrownBy(() -> world.inspect().workspaces(null, null, bad, 10))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
        }
        String workspaceCursor = world.inspect().workspaces(null, null, null, 1).next();
        assertThat(workspaceCursor).isNotNull();
        assertThatThrownBy(() -> world.inspect().builds(id(901), workspaceCursor, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
        assertThatThrownBy(() -> world.inspect().workspaces(null, null, null, 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsOfAWorkspace_pageByPage_oldestFirst() {
        List<Build> all = world.inspect().builds(id(901));
        assertThat(all).isNotEmpty();
        var first = world.inspect().builds(id(901), null, 1);
        assertThat(first.items()).containsExactly(all.get(0));
        if (all.size() == 1) {
            assertThat(first.next()).isNull();
        } else {
            assertThat(world.inspect().builds(id(901), first.next(), 1000).items()).containsExactlyElementsOf(all.subList(1, all.size()));
        }
        assertThatThrownBy(() -> world.inspect().builds(id(999), null, 1)).isInstanceOf(NotFoundException.class);
    }
}
