/**
 * Provisioners behind {@link io.warmpool.application.port.out.WorkspaceProvisionerPort} (SPEC §4
 * adapters-provisioner): {@link io.warmpool.adapters.provisioner.SimulatedProvisioner} (seeded, completes in
 * virtual time), {@link io.warmpool.adapters.provisioner.CommandProvisioner} (runs configured executables, never a
 * shell string) and {@link io.warmpool.adapters.provisioner.HttpProvisioner} (signed webhooks with resilience4j
 * retry and circuit breaker).
 *
 * <p>Shared wire format, used on a command's stdin and as an HTTP request body: one JSON object
 * <pre>{@code
 * {"transition": "create" | "delete" | "check" | "claim", "workspace_id": "<uuid>", "workspace_name": "...",
 *  "owner": "...", "template": "...", "template_version": "...", "preset": "...",
 *  "parameters": {"name": "value", ...}, "outputs": {"name": "value", ...}, "attempt": 1}
 * }</pre>
 * {@code outputs} is what the workspace's create produced (empty for a create); {@code owner} and
 * {@code workspace_name} may be {@code null}. For a claim, {@code owner} and {@code workspace_name} are the new
 * ones and {@code parameters} the claim's (see {@link io.warmpool.application.port.out.ProvisionRequest}). Map keys
 * are sorted so the same request always gives the same bytes. A create also carries {@code "agent_token"} (the
 * workspace's own secret, SPEC R10 agent) and {@code "agent_ready_url"} (the route its agent calls with
 * {@code Authorization: Bearer <agent_token>} once the workspace is ready); only presets with
 * {@code readiness: {check: agent}} wait for that call. The http provisioner adds {@code "callback_url"} (last) to
 * the create and delete of a queued build when a public URL is configured: where a receiver that answered
 * {@code 202 Accepted} reports the outcome ({@link io.warmpool.adapters.provisioner.HttpBuildCallbacks}).
 *
 * <p>Reply format (a command's stdout, an HTTP response body): empty, or one JSON object. If the object has an
 * {@code "outputs"} member, that object's members are the outputs; otherwise every top-level member except the
 * reserved {@code "permanent"} and {@code "error"} is an output. Output values that are strings are kept as they
 * are, numbers and booleans become their JSON text, objects and arrays their compact JSON text, and {@code null}
 * members are dropped. On a failure, {@code "permanent": true} marks the error permanent and {@code "error"} is
 * its message.
 *
 * <p>A check's reply is different: exactly one JSON object {@code {"status": "ready" | "starting" | "unhealthy" |
 * "gone" | "failed"}}, optionally with {@code "error"} (its detail) and, with {@code "failed"}, {@code "permanent":
 * true}; anything else is a failed check naming what was wrong.
 *
 * <p>Nothing in this package reads the wall clock or draws unseeded random numbers: time comes from an injected
 * {@link java.time.Clock} or {@link io.warmpool.adapters.provisioner.CompletionScheduler}, randomness from a seed or
 * an injected {@link java.util.random.RandomGenerator}.
 */
package io.warmpool.adapters.provisioner;
