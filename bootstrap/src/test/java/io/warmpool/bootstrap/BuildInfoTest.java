package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildInfoTest {

    @Test
    void theBuildsOwnInfo_hasTheMavenVersion_andARevisionOrUnknown() {
        BuildInfo info = BuildInfo.current();
        assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(info.revision()).matches("[0-9a-f]{7,40}(-dirty)?|unknown");
    }

    @Test
    void unfilteredOrMissingValues_areUnknown_andADirtyTreeIsSaid() {
        assertThat(BuildInfo.of("${project.version}", "${git.commit.id.abbrev}", "${git.dirty}"))
                .isEqualTo(new BuildInfo("unknown", "unknown"));
        assertThat(BuildInfo.of("0.1.0", null, null)).isEqualTo(new BuildInfo("0.1.0", "unknown"));
        assertThat(BuildInfo.of("0.1.0", "abc1234def56", "true").revision()).isEqualTo("abc1234def56-dirty");
        assertThat(BuildInfo.of("0.1.0", "abc1234def56", "false")).hasToString("warmpool 0.1.0 (revision abc1234def56)");
    }
}
