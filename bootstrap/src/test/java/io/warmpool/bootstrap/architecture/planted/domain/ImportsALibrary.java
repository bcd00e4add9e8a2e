package io.warmpool.bootstrap.architecture.planted.domain;

/** Breaks "domain imports only the JDK". */
public final class ImportsALibrary {
    com.fasterxml.jackson.databind.ObjectMapper json;
}
