package io.warmpool.bootstrap.architecture.planted.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Breaks "domain does no I/O" (JDK classes only, so it keeps "domain imports only the JDK"). */
public final class ReadsAFile {
    String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
