package io.warmpool.adapters.http;

import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A server that keeps no history (tests and tools): no last pass, and the preset history routes answer 404. */
final class NoHistory implements PresetHistoryUseCase {

    @Override
    public Optional<LastPass> lastPass() {
        return Optional.empty();
    }

    @Override
    public PresetActivity activity(PresetRef ref, Duration history) {
        throw new NotFoundException("this server keeps no history");
    }

    @Override
    public io.warmpool.application.port.in.Page<PresetBuild> recentBuilds(PresetRef ref, String cursor, int limit) {
        throw new NotFoundException("this server keeps no history");
    }
}
