package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.out.TimerPort;
import java.time.Clock;
import java.time.Duration;

/**
 * Redraws the live view every second between passes, so backoff countdowns tick (no database read: the last status
 * is redrawn). Does nothing when the view is not live (not a terminal).
 */
public final class LiveTicker implements Lifecycle {

    /** How often the countdowns move: a display refresh, not a setting. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private final LiveView view;
    private final TimerPort timer;
    private final Clock clock;
    private TimerPort.Cancellable task;

    public LiveTicker(LiveView view, TimerPort timer, Clock clock) {
        this.view = view;
        this.timer = timer;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (view.live()) {
            task = timer.every(EVERY, () -> view.tick(clock.instant()));
        }
    }

    @Override
    public synchronized void stop() {
        if (task != null) {
            task.cancel();
            task = null;
        }
    }

    @Override
    public String toString() {
        return "live view ticker";
    }
}
