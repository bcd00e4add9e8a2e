package io.warmpool.bootstrap.config;

import java.util.List;

/** Invalid configuration: every problem, each naming the setting and where its value came from. Exit code 2. */
public final class ConfigException extends RuntimeException {

    private final transient List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
