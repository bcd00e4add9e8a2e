package io.warmpool.adapters.http.web;

import io.javalin.config.RoutesConfig;

/** One resource of the API (presets, claims, workspaces, …): the routes it serves, and the errors only it raises. */
@FunctionalInterface
public interface Resource {

    /** Registers this resource's routes (and any exception handler of its own). */
    void addTo(RoutesConfig routes);
}
