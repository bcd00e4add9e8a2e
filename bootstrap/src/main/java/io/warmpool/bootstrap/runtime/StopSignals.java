package io.warmpool.bootstrap.runtime;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Stops the service on SIGTERM and SIGINT <em>before</em> the JVM runs its shutdown hooks.
 *
 * <p>Why not only a shutdown hook: hooks run concurrently, and the embedded PostgreSQL registers a hook of its
 * own that stops the server at once. The service's stop then raced it: workers could not record the jobs they
 * were finishing, and each waited out its drain bound (30 s) on a connection pool with no server behind it, so
 * {@code kill} took 30 s and lost the in-flight results. Handling the signal first stops the loop, the API and
 * the workers while the database is still up, then the database; the hooks that run at exit find everything
 * stopped. A second signal while stopping exits at once (the hooks still stop the embedded database).
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported-but-unofficial signal API (module {@code jdk.unsupported}).
 * Where it is unavailable (or the JVM runs with {@code -Xrs}) nothing is installed and the shutdown hook alone
 * stops the service, as before.
 */
public final class StopSignals {

    private StopSignals() {
    }

    /**
     * On SIGHUP runs {@code reload} on its own thread (the TLS certificate), instead of the JVM's default of
     * stopping. Installed only when there is something to reload.
     */
    public static void onHangup(Runnable reload) {
        try {
            Signal.handle(new Signal("HUP"), signal -> new Thread(reload, "warmpool-reload").start());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // Not on this platform, or reserved (-Xrs): a change of the files is still noticed within a second.
        }
    }

    /** On the first SIGTERM or SIGINT runs {@code stop} on its own thread; on another, exits with 128 + signal. */
    public static void install(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        new Thread(stop, "warmpool-stop").start();
                    } else {
                        new Thread(() -> System.exit(128 + signal.getNumber()), "warmpool-exit").start();
                    }
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // Not on this platform, or reserved (-Xrs): the shutdown hook stops the service.
            }
        }
    }
}
