package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.service.ClaimWaitSettings;
import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.TimeOrderedIds;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.application.wiring.ApplicationModule;
import io.warmpool.bootstrap.runtime.SystemTimer;
import io.warmpool.domain.backoff.FailurePolicy;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;

/**
 * What only the real process has, around the application's services ({@link ApplicationModule}): the settings and
 * the values derived from them, the wall clock, real-time timers and ids seeded from a secure source.
 * Provides: {@link Settings}, {@link Clock} (system UTC — the one place the wall clock enters), {@link TimerPort}
 * ({@link SystemTimer}), {@link IdGeneratorPort}, {@link FailurePolicy}, {@link ReconcileSettings},
 * {@link WorkerSettings}, {@link EventRetentionSettings}, {@link ClaimWaitSettings}.
 */
public final class CoreModule extends AbstractModule {

    private final Settings settings;

    public CoreModule(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(TimerPort.class).to(SystemTimer.class);
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Provides
    @Singleton
    SystemTimer timer() {
        return new SystemTimer();
    }

    @Provides
    @Singleton
    IdGeneratorPort ids(Clock clock) {
        // Time-ordered (UUIDv7), the random part never from --seed: replicas sharing a configuration, or one
        // replica restarted, would make the same ids again and their creates would collide with rows already
        // stored. (The simulator seeds its own.)
        return new TimeOrderedIds(clock, new Random(new SecureRandom().nextLong()));
    }

    @Provides
    @Singleton
    FailurePolicy failurePolicy() {
        return new FailurePolicy(settings.backoff(), settings.failureHardLimit(), new Random(settings.seed()));
    }

    @Provides
    @Singleton
    ReconcileSettings reconcileSettings() {
        return settings.reconcile();
    }

    @Provides
    @Singleton
    ClaimWaitSettings claimWaitSettings() {
        return settings.claimWaits();
    }

    @Provides
    @Singleton
    PublicBaseUrl publicBaseUrl() {
        return new PublicBaseUrl(settings.publicUrl(), settings.http().scheme(), settings.httpAddr());
    }

    @Provides
    @Singleton
    io.warmpool.application.service.CheckSettings checkSettings(PublicBaseUrl url) {
        // A check's lease outlives the longest check a provisioner may take (its own timeouts are shorter).
        return new io.warmpool.application.service.CheckSettings(settings.readinessInterval(),
                java.time.Duration.ofMinutes(15), url::get);
    }

    @Provides
    @Singleton
    WorkerSettings workerSettings() {
        return settings.worker();
    }

    @Provides
    @Singleton
    EventRetentionSettings eventRetentionSettings() {
        return settings.eventRetention();
    }
}
