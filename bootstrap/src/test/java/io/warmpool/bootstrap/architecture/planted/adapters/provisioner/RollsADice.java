package io.warmpool.bootstrap.architecture.planted.adapters.provisioner;

import java.security.SecureRandom;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Breaks "only bootstrap draws unseeded random numbers" three ways; the seeded generators and SecureRandom
 * (for secrets) are allowed.
 */
public final class RollsADice {
    double unseeded() {
        Supplier<UUID> ids = UUID::randomUUID;
        return new Random().nextDouble() + Math.random() + ids.get().hashCode();
    }

    double seeded() {
        return new Random(42).nextDouble() + new SplittableRandom(42).nextDouble();
    }

    byte[] secret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
