package io.warmpool.application.port.out;

/** The two kinds of build (SPEC §1). */
public enum Transition {
    CREATE,
    DELETE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
