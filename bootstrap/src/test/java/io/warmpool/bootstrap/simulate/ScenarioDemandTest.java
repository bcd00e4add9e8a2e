package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.domain.PresetRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scenario's claims: windows, bursts and a level change; their errors with places; arrivals under the seed. */
class ScenarioDemandTest {

    @TempDir
    Path dir;

    private static final Instant MONDAY = Instant.parse("2026-03-02T00:00:00Z");
    private static final PresetRef SMALL = PresetRef.parse("python-dev/small");

    private Scenario read(String claims) throws IOException {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "start: 2026-03-02T00:00:00Z\nclaims:\n" + claims);
        return Scenario.read(file);
    }

    private List<String> problems(String claims) {
        try {
            read(claims);
        } catch (ConfigException e) {
            return e.problems();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + claims);
    }

    @Test
    void givenTheShortForm_whenRead_thenOneWindowAndTheSameArrivalsAsAListOfThatWindow() throws IOException {
        Demand shortForm = read("  python-dev/small: {per_hour: 6, hours: 8-18, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}\n")
                .claims().get(SMALL);
        Demand list = read("  python-dev/small:\n    - {per_hour: 6, hours: 8-18, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}\n")
                .claims().get(SMALL);
        assertThat(shortForm.windows()).hasSize(1);
        assertThat(shortForm.bursts()).isEmpty();
        assertThat(shortForm).isEqualTo(list);
        assertThat(shortForm.arrivals("python-dev/small", 7, MONDAY, MONDAY.plus(Duration.ofDays(7))))
                .isEqualTo(list.arrivals("python-dev/small", 7, MONDAY, MONDAY.plus(Duration.ofDays(7))))
                .hasSizeBetween(200, 460) // 5 days × 11 h × 6/h = 330
                .allSatisfy(t -> {
                    var local = t.atZone(ZoneId.of("Europe/Berlin"));
                    assertThat(local.getHour()).isBetween(8, 18);
                    assertThat(local.getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
                });
    }

    @Test
    void givenABurstAtNineBerlinOnWeekdays_whenArrivalsAreDrawn_thenExactlyItsClaimsWithinItsMinutesEachWeekday()
            throws IOException {
        Demand demand = read("""
                  python-dev/small:
                    bursts:
                      - {at: "09:00", claims: 12, within: 5m, weekdays: [1, 2, 3, 4, 5], timezone: Europe/Berlin}
                """).claims().get(SMALL);
        List<Instant> arrivals = demand.arrivals("python-dev/small", 1, MONDAY, MONDAY.plus(Duration.ofDays(7)));
        assertThat(arrivals).hasSize(5 * 12).isSorted().allSatisfy(t -> {
            var local = t.atZone(ZoneId.of("Europe/Berlin")).toLocalTime();
            assertThat(local).isBetween(LocalTime.of(9, 0), LocalTime.of(9, 4, 59, 999_000_000));
        });
        assertThat(demand.arrivals("python-dev/small", 1, MONDAY, MONDAY.plus(Duration.ofDays(7)))).isEqualTo(arrivals);
        assertThat(demand.arrivals("python-dev/small", 2, MONDAY, MONDAY.plus(Duration.ofDays(7)))).isNotEqualTo(arrivals);
    }

    @Test
    void givenALevelChangeMidRun_whenArrivalsAreDrawn_thenTheRateAndTheBurstsFollowIt() throws IOException {
        Demand demand = read("""
                  python-dev/small:
                    windows:
                      - {per_hour: 10}
                    bursts:
                      - {at: "12:00", claims: 3}
                    scale:
                      - {from: 2026-03-09T00:00:00Z, factor: 3}
                """).claims().get(SMALL);
        Instant change = Instant.parse("2026-03-09T00:00:00Z");
        List<Instant> arrivals = demand.arrivals("python-dev/small", 3, MONDAY, MONDAY.plus(Duration.ofDays(14)));
        long before = arrivals.stream().filter(t -> t.isBefore(change)).count();
        long after = arrivals.size() - before;
        // week 1: 1,680 windowed + 21 burst claims; week 2: three times that (Poisson sd ≈ 41 and 71)
        assertThat(before).isBetween(1_701L - 200, 1_701L + 200);
        assertThat(after).isBetween(5_103L - 350, 5_103L + 350);
    }

    @Test
    void givenWindowsValidFromAndUntil_whenArrivalsAreDrawn_thenNoneOutsideThem() throws IOException {
        Demand demand = read("""
                  python-dev/small:
                    - {per_hour: 20, from: 2026-03-03T00:00:00Z, until: 2026-03-04T00:00:00Z}
                    - {per_hour: 20, hours: 12-12, from: 2026-03-05T00:00:00Z}
                """).claims().get(SMALL);
        assertThat(demand.arrivals("python-dev/small", 1, MONDAY, MONDAY.plus(Duration.ofDays(7))))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.isBefore(Instant.parse("2026-03-04T00:00:00Z"))
                        ? t.isAfter(Instant.parse("2026-03-03T00:00:00Z"))
                        : t.isAfter(Instant.parse("2026-03-05T00:00:00Z")) && t.atZone(ZoneId.of("UTC")).getHour() == 12)
                        .isTrue());
    }

    @Test
    void everyExampleScenarioIsRead_andTheAutoscaleShapesLastThreeWeeks() throws IOException {
        Path examples = Path.of("../examples/scenarios").toAbsolutePath().normalize();
        List<Path> files;
        try (var walk = Files.walk(examples)) {
            files = walk.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("presets.yaml"))
                    .sorted().toList();
        }
        assertThat(files).extracting(f -> examples.relativize(f).toString())
                .contains("autoscale/office-hours.yaml", "autoscale/steady-low.yaml", "autoscale/bursty-level-change.yaml");
        for (Path file : files) {
            Scenario scenario = Scenario.read(file);
            Instant end = scenario.start().plus(Duration.ofDays(21));
            scenario.claims().forEach((ref, demand) ->
                    assertThat(demand.arrivals(ref.toString(), 0, scenario.start(), end)).as("%s %s", file, ref).isSorted());
        }
        Scenario office = Scenario.read(examples.resolve("autoscale/office-hours.yaml"));
        assertThat(office.claims().get(PresetRef.parse("office/dev")).bursts()).singleElement()
                .satisfies(b -> assertThat(b.at()).isEqualTo(LocalTime.of(9, 0)));
        assertThat(Scenario.read(examples.resolve("autoscale/bursty-level-change.yaml")).claims()
                .get(PresetRef.parse("bursty/build")).scale()).isNotEmpty();
    }

    @Test
    void givenMistakesInWindowsBurstsAndScale_whenRead_thenEachIsReportedWithItsPlace() {
        List<String> problems = problems("""
                  python-dev/small:
                    windows:
                      - {per_hour: -1}
                      - {per_hour: 1, from: 2026-03-05T00:00:00Z, until: 2026-03-04T00:00:00Z}
                    bursts:
                      - {at: "25:00", claims: 3}
                      - {at: "09:00", claims: 3, within: 0s}
                      - {at: "09:00", claim: 3}
                    scale:
                      - {factor: 2}
                      - {from: 2026-03-16T00:00:00Z, factor: -1}
                    extra: 1
                  python-dev/large: {per_hour: 1, bursts: []}
                  go-service/broken: {scale: [{from: 2026-03-16T00:00:00Z, factor: 2}]}
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).endsWith("claims.python-dev/small.windows[0]: per_hour must be a number from 0 to 100000"))
                .anySatisfy(p -> assertThat(p).endsWith("claims.python-dev/small.windows[1]: from must be before until"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small.bursts[0]: at must be a local time of day"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small.bursts[1]: within must be a duration"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small.bursts[2]: unknown key 'claim'"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small.scale[0]: from is required"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small.scale[1]: factor must be a number"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/small: unknown key 'extra'"))
                .anySatisfy(p -> assertThat(p).contains("claims.python-dev/large: unknown key 'per_hour'"))
                .anySatisfy(p -> assertThat(p).contains("claims.go-service/broken: needs windows or bursts"))
                .allSatisfy(p -> assertThat(p).startsWith(dir.resolve("s.yaml").toString()));
        assertThatThrownBy(() -> read("  python-dev/small: {per_hour: 1, hours: 18-8}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("claims.python-dev/small: hours must be a range");
    }
}
