/**
 * Demand-driven sizing (SPEC R13): the forecast of claims per hour from hour-of-week buckets, the p90 build time,
 * Erlang's loss formula and the smallest pool size reaching a target hit rate. Pure and deterministic.
 */
package io.warmpool.domain.autoscale;
