package io.warmpool.bootstrap.logging;

import java.util.List;
import java.util.Map;

/**
 * The short component a log record is shown under ({@code reconcile}, {@code worker}, {@code http}, …): what an
 * on-call reads and filters by, instead of a class name. The longest prefix of the logger's name in the table
 * wins; an unknown library shows the second part of its package ({@code org.foo.bar.Baz} → {@code foo}).
 */
final class Components {

    private Components() {
    }

    private static final String S = "io.warmpool.application.service.";
    private static final String R = "io.warmpool.bootstrap.runtime.";

    /** Prefix → component, the longest first so that the first match is the most specific. */
    private static final List<Map.Entry<String, String>> TABLE = List.of(
            Map.entry("io.warmpool.operator", "operator"),
            Map.entry(S + "ReconcilePresetsService", "reconcile"),
            Map.entry(S + "PassPlanner", "reconcile"),
            Map.entry(S + "ProvisionerWorkerService", "worker"),
            Map.entry(S + "BuildOutcomes", "worker"),
            Map.entry(S + "ReadinessChecks", "checks"),
            Map.entry(S + "CompleteBuildService", "callback"),
            Map.entry(S + "ClaimPrebuildService", "claims"),
            Map.entry(S + "ClaimFollowUps", "claims"),
            Map.entry(S + "ClaimArrivals", "claims"),
            Map.entry(S + "WaitingClaims", "claims"),
            Map.entry(S + "PresetOperationsService", "operator"),
            Map.entry(S + "EventRetentionService", "retention"),
            Map.entry(R + "ReconcileLoop", "reconcile"),
            Map.entry(R + "AfterPass", "reconcile"),
            Map.entry(R + "LiveView", "reconcile"),
            Map.entry(R + "WorkerPool", "worker"),
            Map.entry(R + "PresetsAtStart", "presets"),
            Map.entry(R + "PublishedApi", "http"),
            Map.entry("io.warmpool.adapters.db.embedded", "postgres"),
            Map.entry("io.warmpool.adapters.db", "db"),
            Map.entry("io.warmpool.adapters.http", "http"),
            Map.entry("io.warmpool.adapters.provisioner", "provisioner"),
            Map.entry("io.warmpool.adapters.metrics", "metrics"),
            Map.entry("io.warmpool.adapters.presets", "presets"),
            Map.entry("io.warmpool.application", "app"),
            Map.entry("io.warmpool.bootstrap", "service"),
            Map.entry("io.warmpool", "warmpool"),
            Map.entry("com.zaxxer.hikari", "hikari"),
            Map.entry("org.flywaydb", "flyway"),
            Map.entry("org.eclipse.jetty", "jetty"),
            Map.entry("io.javalin", "javalin"),
            Map.entry("org.jooq", "jooq"),
            Map.entry("org.postgresql", "jdbc"),
            Map.entry("io.zonky", "postgres"),
            Map.entry("io.github.resilience4j", "resilience4j"),
            Map.entry("com.google.inject", "guice"));

    static String of(String logger) {
        if (logger == null || logger.isEmpty()) {
            return "-";
        }
        for (Map.Entry<String, String> e : TABLE) {
            String prefix = e.getKey();
            if (logger.startsWith(prefix) && (logger.length() == prefix.length() || !Character.isLetterOrDigit(logger.charAt(prefix.length())))) {
                return e.getValue();
            }
        }
        String[] parts = logger.split("\\.");
        return parts.length > 2 ? parts[1] : parts[0];
    }
}
