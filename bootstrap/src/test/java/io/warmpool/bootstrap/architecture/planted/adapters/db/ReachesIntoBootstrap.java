package io.warmpool.bootstrap.architecture.planted.adapters.db;

import io.warmpool.bootstrap.architecture.planted.bootstrap.Main;

/** Breaks "adapter db depends on no other adapter nor bootstrap". */
public final class ReachesIntoBootstrap {
    Main main;
}
