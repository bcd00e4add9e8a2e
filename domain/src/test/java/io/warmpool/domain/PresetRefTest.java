package io.warmpool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PresetRefTest {

    @Test
    void parsesTemplateSlashPreset() {
        assertThat(PresetRef.parse("python-dev/small")).isEqualTo(new PresetRef("python-dev", "small"));
        assertThat(PresetRef.parse("python-dev/small")).hasToString("python-dev/small");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "/small", "python-dev/", "a/b/c", "Python/small", "a/b c"})
    void rejectsOtherFormsNamingTheExpectedOne(String text) {
        assertThatThrownBy(() -> PresetRef.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*(template/preset|must match).*");
    }

    @Test
    void workspaceIdsOrderByTheirLowercaseText() {
        WorkspaceId a = WorkspaceId.parse("0000000a-0000-0000-0000-000000000000");
        WorkspaceId b = WorkspaceId.parse("00000009-0000-0000-0000-000000000000");
        assertThat(a.compareTo(b)).isPositive();
        assertThatThrownBy(() -> WorkspaceId.parse("nope")).hasMessageContaining("not a UUID");
    }
}
