package io.warmpool.bootstrap.architecture.planted.application.service;

import io.warmpool.bootstrap.architecture.planted.adapters.db.SomeDbAdapter;

/** Breaks "application sees only the domain". */
public final class ImportsAnAdapter {
    SomeDbAdapter db;
}
