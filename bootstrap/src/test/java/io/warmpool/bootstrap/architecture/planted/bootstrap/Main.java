package io.warmpool.bootstrap.architecture.planted.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.time.Clock;
import java.util.Random;

/** The composition root may use Guice and choose the real clock and an unseeded random source: it breaks no rule. */
public final class Main {
    final Clock clock = Clock.systemUTC();
    final Random random = new Random();
    final Injector injector = Guice.createInjector();
}
