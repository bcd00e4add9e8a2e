package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The use cases' own enums name the same things as the ports' read-models: every constant maps, both ways. */
class ReadModelsTest {

    @Test
    void everyPhaseOfTheStoreIsAPhaseOfTheUseCase_andNoneIsLeftOver() {
        assertThat(Arrays.stream(WorkspacePort.Phase.values()).map(ReadModels::phase).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(Workspace.Phase.values()).map(Enum::name).toList());
        assertThat(ReadModels.phase(null)).isNull();
    }

    @Test
    void everyTransitionOfTheStoreIsATransitionOfTheUseCase_andNoneIsLeftOver() {
        assertThat(Arrays.stream(Transition.values()).map(ReadModels::transition).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(Build.Transition.values()).map(Enum::name).toList());
    }
}
