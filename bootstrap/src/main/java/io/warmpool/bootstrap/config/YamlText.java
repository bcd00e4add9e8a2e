package io.warmpool.bootstrap.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Loads the small YAML documents bootstrap reads (configuration file, scenarios, simulated provisioner, argv). */
public final class YamlText {

    private YamlText() {
    }

    /**
     * Parses {@code text} into plain Java values (maps, lists, scalars).
     *
     * @param label how errors name the input, e.g. the file's path
     * @throws YamlEngineException when the text is not YAML, also when it nests deeper than the parser's stack:
     *     snakeyaml-engine composes recursively with no depth limit, so {@code [[[[…} would otherwise end the
     *     process with a {@link StackOverflowError} instead of exit code 2. The parser's state is local to this
     *     call, so unwinding it is safe.
     */
    public static Object load(String text, String label) {
        try {
            return new Load(LoadSettings.builder().setLabel(label).build()).loadFromString(text);
        } catch (StackOverflowError e) {
            throw new YamlEngineException("the document is nested too deeply");
        }
    }
}
