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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies the presets file at start, after the database and before the workers and the API: {@code --presets} when
 * given, else {@link #DEFAULT_PRESETS} when the database has no presets yet (a first start). Stopping does nothing.
 */
public final class PresetsAtStart implements Lifecycle {

    /** The presets applied at the first start when none are given. */
    public static final Path DEFAULT_PRESETS = Path.of("examples", "presets.yaml");

    private static final Logger LOG = LoggerFactory.getLogger(PresetsAtStart.class);

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
            if (!empty) {
                return;
            }
            if (!Files.isRegularFile(DEFAULT_PRESETS)) {
                // A first start outside the source tree: without this line the service runs, prebuilding nothing.
                LOG.warn("no presets: the store has none and no presets file was given (--presets FILE), nor is there "
                        + DEFAULT_PRESETS + " under " + Path.of("").toAbsolutePath() + "; nothing is prebuilt until "
                        + "presets are applied: `warmpool presets apply FILE` (the service keeps running) or "
                        + "`warmpool run --presets FILE`");
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
        // The application logs the action (component operator); the file it came from rides along as a field.
        try (MDC.MDCCloseable context = MDC.putCloseable("file", path.toString())) {
            apply.apply(PresetsYaml.parse(yaml, path.toString()));
        }
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
