package io.warmpool.bootstrap.runtime;

import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.bootstrap.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Applies the presets file at start, after the database and before the workers and the API: {@code --presets} when
 * given, else {@link #DEFAULT_PRESETS} when the database has no presets yet (a first start). Stopping does nothing.
 */
public final class PresetsAtStart implements Lifecycle {

    /** The presets applied at the first start when none are given. */
    public static final Path DEFAULT_PRESETS = Path.of("examples", "presets.yaml");

    private static final Logger LOG = Logger.getLogger(PresetsAtStart.class.getName());

    private final Optional<Path> presets;
    private final InspectUseCase inspect;
    private final ApplyPresetsUseCase apply;

    public PresetsAtStart(Optional<Path> presets, InspectUseCase inspect, ApplyPresetsUseCase apply) {
        this.presets = presets;
        this.inspect = inspect;
        this.apply = apply;
    }

    @Override
    public void start() {
        Optional<Path> file = presets;
        if (file.isEmpty()) {
            boolean empty = inspect.status().presets().isEmpty();
            if (!empty || !Files.isRegularFile(DEFAULT_PRESETS)) {
                return;
            }
            file = Optional.of(DEFAULT_PRESETS);
        }
        Path path = file.get();
        String yaml;
        try {
            yaml = TextInput.readFile(path, TextInput.MAX_PRESETS_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read presets file " + path + ": " + e.getMessage(), e);
        } catch (TextInput.RefusedException e) {
            throw new ConfigException(List.of(e.getMessage()));
        }
        ApplyPresetsUseCase.Applied applied = apply.apply(PresetsYaml.parse(yaml, path.toString()));
        LOG.info(() -> "applied " + path + ": " + applied);
    }

    @Override
    public void stop() {
        // nothing held
    }

    @Override
    public String toString() {
        return "presets at start";
    }
}
