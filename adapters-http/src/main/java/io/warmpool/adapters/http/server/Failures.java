package io.warmpool.adapters.http.server;

import java.io.IOException;
import java.util.Locale;

/** What a failure while serving a request says about the client, read from its chain of causes. */
public final class Failures {

    private Failures() {
    }

    /** Whether {@code e} says the client went away mid-request (closed or reset its connection, ended early). */
    public static boolean isClientAbort(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.io.EofException || t instanceof java.io.EOFException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof IOException && (message.contains("broken pipe") || message.contains("connection reset")
                    || message.contains("early eof"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} says the request's body did not arrive within the body deadline. */
    public static boolean isBodyDeadline(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BodyDeadline.Expired) {
                return true;
            }
        }
        return false;
    }

    /** The message of the innermost cause (its class name when it has none). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
