package io.warmpool.bootstrap.architecture.planted.adapters.http;

import io.warmpool.bootstrap.architecture.planted.adapters.db.SomeDbAdapter;

/** Breaks "adapter http depends on no other adapter nor bootstrap". */
public final class ReachesIntoDb {
    SomeDbAdapter db;
}
