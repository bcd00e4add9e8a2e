package io.warmpool.bootstrap.architecture.planted.application.port.out;

/** Breaks "outbound ports are interfaces". */
public class ConcretePort {
}
