package io.warmpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    @Test
    void givenRatioTarget_whenOursIsHalfTheBaseline_thenMetAtHalfAndMissedAboveIt() {
        assertThat(new Row("claims", Kind.RATIO_AT_LEAST, 0.5, 500, 1000, "claims/s").verdict()).isEqualTo("met");
        assertThat(new Row("claims", Kind.RATIO_AT_LEAST, 0.6, 500, 1000, "claims/s").verdict()).isEqualTo("MISSED");
    }

    @Test
    void givenTimeRatio_whenOursIsThreeTimesTheBaseline_thenMissedAtTwo() {
        Row row = new Row("snapshot", Kind.RATIO_AT_MOST, 2, 0.3, 0.1, "s");
        assertThat(row.ratio()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(row.verdict()).isEqualTo("MISSED");
    }

    @Test
    void givenAbsoluteTargets_thenComparedWithoutBaseline() {
        assertThat(new Row("plan", Kind.AT_LEAST, 1e6, 2e6, Double.NaN, "presets/s").verdict()).isEqualTo("met");
        assertThat(new Row("p99", Kind.AT_MOST, 10, 12, Double.NaN, "ms").verdict()).isEqualTo("MISSED");
    }

    @Test
    void rendersOneLinePerRowWithThousandsSeparators() {
        ResultTable table = new ResultTable();
        table.add(new Row("plan", Kind.AT_LEAST, 1_000_000, 2_345_678, Double.NaN, "presets/s"));
        String text = table.render();
        assertThat(text).contains("| plan | ≥ 1,000,000 presets/s | 2,350,000 presets/s | — | — | met |");
        assertThat(text.lines()).hasSize(3);
    }
}
