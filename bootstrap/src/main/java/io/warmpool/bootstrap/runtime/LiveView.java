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

/**
 * What {@code run} shows after each pass: on a terminal, a table of every preset that refreshes in place
 * (desired, eligible, starting, failures, backoff countdown, status); otherwise one log line per pass.
 */
public final class LiveView {

    private final PrintStream out;
    private final boolean terminal;
    private final String banner;
    private PassReport lastPass;
    private StatusReport lastStatus;
    private String signInUrl;
    /** The link carries a one-time code (issue 13). */
    private static final String SIGN_IN_HINT = "(signs in once, within 10 min; ./warmpool dashboard prints a new link)";

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
            out.println("dashboard: run `./warmpool dashboard` for a one-time sign-in link");
            out.flush();
            return;
        }
        signInUrl = url;
        out.println("dashboard: " + url + "  " + SIGN_IN_HINT);
        out.flush();
    }

    /** Shows the state after a pass. */
    public synchronized void show(PassReport pass, StatusReport status) {
        if (!terminal) {
            out.println(line(pass, status));
            return;
        }
        lastPass = pass;
        lastStatus = status;
        draw(status.at());
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

    static String line(PassReport pass, StatusReport status) {
        if (!pass.ran()) {
            return pass.startedAt() + " pass skipped: " + pass.skipped().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
        int eligible = 0;
        int desired = 0;
        int limited = 0;
        int backoff = 0;
        for (PresetPlan p : status.presets()) {
            PresetState s = p.state();
            eligible += s.eligible().size();
            desired += s.desired();
            limited += s.failure().status() != io.warmpool.domain.backoff.PresetStatus.HEALTHY ? 1 : 0;
            backoff += s.backoffUntil().isPresent() ? 1 : 0;
        }
        return pass.startedAt() + " pass: presets=" + status.presets().size() + " eligible=" + eligible + "/" + desired
                + " creates=" + pass.creates() + " deletes=" + pass.deletes() + " cancels=" + pass.cancels()
                + " backoff=" + backoff + " limited=" + limited + " failures=" + pass.failures().size()
                + " took=" + pass.duration().toMillis() + "ms";
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
        return sb.append("\nCtrl-C stops the service.\n").toString();
    }
}
