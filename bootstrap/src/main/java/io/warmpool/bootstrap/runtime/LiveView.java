package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.domain.Durations;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What {@code run} shows after each pass: on a terminal, a table of every preset that refreshes in place
 * (desired, eligible, starting, failures, backoff countdown, status); otherwise one log record per pass.
 */
public final class LiveView {

    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

    private final PrintStream out;
    private final boolean terminal;
    private final String banner;
    private PassReport lastPass;
    private StatusReport lastStatus;
    private String signInUrl;
    /** The last warnings and errors of the log, newest last ({@link #logged}). */
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
    static final int RECENT = 5;
    /** The link carries a one-time code (issue 13). */
    private static final String SIGN_IN_HINT = "(signs in once, within 10 min; `warmpool dashboard` prints a new link)";

    public LiveView(PrintStream out, boolean terminal, String banner) {
        this.out = out;
        this.terminal = terminal;
        this.banner = banner;
    }

    /**
     * The dashboard's sign-in link: printed at once (it signs a browser in, like a notebook server's link), and on
     * a terminal kept under the banner.
     */
    public synchronized void signIn(String url) {
        if (!terminal) {
            // Output that is not a terminal is collected (journald, container logs): a credential, even a one-time
            // one, never goes there (SPEC §7). The operator asks for a link when they want one.
            LOG.info("dashboard: run `warmpool dashboard` (./warmpool in a source tree, bin/warmpool in a release) for a one-time sign-in link");
            return;
        }
        signInUrl = url;
        out.println("dashboard: " + url + "  " + SIGN_IN_HINT);
        out.flush();
    }

    /** Shows the state after a pass. */
    public synchronized void show(PassReport pass, StatusReport status) {
        if (!terminal) {
            log(pass, status).log(pass.ran() ? "pass" : "pass skipped");
            return;
        }
        lastPass = pass;
        lastStatus = status;
        draw(status.at());
    }

    /**
     * A WARN or ERROR log line: on a terminal the last {@value #RECENT} stay under the table, since every redraw
     * clears the screen the log was written to.
     */
    public synchronized void logged(String line) {
        if (!terminal) {
            return;
        }
        recent.addLast(line);
        while (recent.size() > RECENT) {
            recent.removeFirst();
        }
    }

    /** Whether this view refreshes in place (a terminal), so a per-second {@link #tick} is worth it. */
    public boolean live() {
        return terminal;
    }

    /** Redraws the last state with backoff countdowns as of {@code now} (between passes, on a terminal). */
    public synchronized void tick(Instant now) {
        if (terminal && lastStatus != null) {
            draw(now);
        }
    }

    private void draw(Instant now) {
        // Home the cursor and clear the screen, then draw: the table refreshes in place.
        out.print("\u001b[H\u001b[2J");
        out.print(table(lastPass, lastStatus, now));
        out.flush();
    }

    /**
     * The pass line off a terminal, an INFO record of component {@code reconcile} (the pass id is in its context):
     * {@code pass started=… presets=… eligible=<eligible>/<desired> creates=… deletes=… cancels=… backoff=<presets in
     * backoff> limited=<presets hard_limited or validation_failed> failed=<failed prebuilds awaiting their delete>
     * errors=<presets whose pass failed> tookMs=…}, or {@code pass skipped reason=paused|locked_elsewhere}.
     */
    static LoggingEventBuilder log(PassReport pass, StatusReport status) {
        if (!pass.ran()) {
            return LOG.atInfo().addKeyValue("started", pass.startedAt().toString())
                    .addKeyValue("reason", pass.skipped().name().toLowerCase(java.util.Locale.ROOT));
        }
        int eligible = 0;
        int desired = 0;
        int limited = 0;
        int backoff = 0;
        int failed = 0;
        for (PresetPlan p : status.presets()) {
            PresetState s = p.state();
            eligible += s.eligible().size();
            desired += s.desired();
            limited += s.failure().status() != io.warmpool.domain.backoff.PresetStatus.HEALTHY ? 1 : 0;
            backoff += s.backoffUntil().isPresent() ? 1 : 0;
            failed += s.failed().size();
        }
        return LOG.atInfo().addKeyValue("started", pass.startedAt().toString())
                .addKeyValue("presets", status.presets().size()).addKeyValue("eligible", eligible + "/" + desired)
                .addKeyValue("creates", pass.creates()).addKeyValue("deletes", pass.deletes())
                .addKeyValue("cancels", pass.cancels()).addKeyValue("backoff", backoff).addKeyValue("limited", limited)
                .addKeyValue("failed", failed).addKeyValue("errors", pass.failures().size())
                .addKeyValue("tookMs", pass.duration().toMillis());
    }

    String table(PassReport pass, StatusReport status, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PRESET", "VERSION", "STATUS", "DESIRED", "ELIGIBLE", "STARTING", "FAILED", "FAILURES", "BACKOFF", "BLOCKED"});
        for (PresetPlan p : status.presets()) {
            PresetState s = p.state();
            String backoff = s.backoffUntil().filter(now::isBefore).map(u -> Durations.format(Duration.ofSeconds(
                    (Duration.between(now, u).toMillis() + 999) / 1000))).orElse("-");
            rows.add(new String[] {p.id().template() + "/" + p.id().preset(), p.id().version(),
                    s.active() ? s.failure().status().name().toLowerCase(java.util.Locale.ROOT) : "inactive",
                    Integer.toString(s.desired()), Integer.toString(s.eligible().size()), Integer.toString(s.starting()),
                    Integer.toString(s.failed().size()), Integer.toString(s.failure().consecutiveFailures()), backoff,
                    p.blocked().map(b -> b.reason().name()).orElse("-")});
        }
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder(banner).append('\n');
        if (signInUrl != null) {
            sb.append("dashboard: ").append(signInUrl).append("  ").append(SIGN_IN_HINT).append('\n');
        }
        sb.append(status.paused() ? "reconciliation PAUSED" : "reconciling").append(" · ").append(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .append(" · last pass ").append(pass.ran() ? pass.duration().toMillis() + " ms, " + pass.creates()
                        + " creates, " + pass.deletes() + " deletes" : "skipped (" + pass.skipped() + ")").append("\n\n");
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(String.format("%-" + w[i] + "s  ", r[i]));
            }
            sb.append('\n');
        }
        status.failures().forEach((id, why) -> sb.append("! ").append(id).append(": ").append(why).append('\n'));
        if (!recent.isEmpty()) {
            sb.append("\nrecent warnings and errors (all of the log is on stderr):\n");
            recent.forEach(l -> sb.append(l).append('\n'));
        }
        return sb.append("\nCtrl-C stops the service.\n").toString();
    }
}
