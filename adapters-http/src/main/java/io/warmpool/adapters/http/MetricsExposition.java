package io.warmpool.adapters.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What {@code GET /metrics} serves: a scrape of the service's metrics in a text format a Prometheus server reads.
 * Owned here so the inbound API never imports the metrics adapter; bootstrap binds it to the Prometheus registry
 * (adapters-metrics).
 *
 * <p>Contract: {@link #writeTo} is called once per {@code /metrics} request, on an HTTP worker thread, and may run
 * concurrently with itself and with the metrics being recorded; it writes one complete scrape and does not close
 * {@code out}. The API answers 200 with {@link #contentType()} and exactly those bytes.
 */
public interface MetricsExposition {

    /** The {@code Content-Type} of what {@link #writeTo} writes, for example the Prometheus text format 0.0.4. */
    String contentType();

    /** Writes one scrape of every metric to {@code out}. */
    void writeTo(OutputStream out) throws IOException;
}
