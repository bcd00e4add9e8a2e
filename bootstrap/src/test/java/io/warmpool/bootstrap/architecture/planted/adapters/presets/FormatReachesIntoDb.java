package io.warmpool.bootstrap.architecture.planted.adapters.presets;

import io.warmpool.bootstrap.architecture.planted.adapters.db.SomeDbAdapter;

/** Breaks "adapter presets depends on no other adapter nor bootstrap": a file format is an adapter of its own. */
public final class FormatReachesIntoDb {
    SomeDbAdapter db;
}
