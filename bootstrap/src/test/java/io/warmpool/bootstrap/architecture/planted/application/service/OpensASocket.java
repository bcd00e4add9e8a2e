package io.warmpool.bootstrap.architecture.planted.application.service;

import java.io.IOException;
import java.net.Socket;

/** Breaks "application does no I/O" (JDK only, so it keeps "application sees only the domain"). */
public final class OpensASocket {
    Socket open() throws IOException {
        return new Socket("localhost", 1);
    }
}
