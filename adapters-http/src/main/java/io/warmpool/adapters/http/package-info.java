/**
 * The inbound HTTP adapter: the REST API of SPEC §5 ({@code adapters-http/API.md}), the dashboard and the
 * operational endpoints. {@link io.warmpool.adapters.http.RestApi} is the one entry point; it puts the parts
 * together, each in a package of its own:
 *
 * <ul>
 *   <li>one class per resource, each a {@link io.warmpool.adapters.http.web.Resource} registering its routes:
 *       {@code presets} (the list, one preset, resume, invalidate, the presets upload, a preset's activity and
 *       builds), {@code claims}, {@code workspaces}, {@code reconciliation} (status, the dry-run plan, pause and
 *       resume), {@code dashboard} (the page, its assets and one-time sign-in links), {@code operations}
 *       ({@code /healthz}, {@code /readyz}, {@code /metrics}). Each keeps its JSON records beside it.</li>
 *   <li>{@code security} (SPEC §7): the {@code Host} check on every route (no DNS rebinding), bearer-token or
 *       dashboard-session authentication and the CSRF rules on {@code /api/}, the Content-Type rule.</li>
 *   <li>{@code errors}: every failure as {@code {"error": …}} with a fitting status, never a stack trace or an
 *       exception class; what Jetty rejects before routing reads the same.</li>
 *   <li>{@code server}: Jetty's lifecycle and what one client may hold ({@link io.warmpool.adapters.http.HttpLimits}:
 *       header and body deadlines, idle timeout, connection cap).</li>
 *   <li>{@code web}: the one JSON mapper and the request parsing every resource shares.</li>
 * </ul>
 *
 * <p>Not here: the presets file format is an adapter of its own ({@code adapters-presets-yaml}, which this inbound
 * adapter may use), and the metrics are an outbound adapter ({@code adapters-metrics}) that {@code /metrics} reads
 * only through {@link io.warmpool.adapters.http.MetricsExposition}.
 */
package io.warmpool.adapters.http;
