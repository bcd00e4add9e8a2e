package io.warmpool.adapters.db;

import io.warmpool.application.port.out.StoreUnavailableException;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;

/**
 * Maps database failures to application errors whose messages carry no SQL text and no secrets.
 */
final class DbErrors {

    private DbErrors() {
    }

    /** Runs {@code work}; a database failure becomes a {@link StoreUnavailableException} saying what failed. */
    static <T> T guard(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw new StoreUnavailableException(what + " failed: " + describe(e), e);
        }
    }

    static void guardRun(String what, Runnable work) {
        guard(what, () -> {
            work.run();
            return null;
        });
    }

    /** A short description: the SQLState and its class, never the statement. */
    static String describe(Throwable e) {
        SQLException sql = findSql(e);
        if (sql != null) {
            String state = sql.getSQLState();
            return "database error" + (state == null ? "" : " " + state + " (" + stateClass(state) + ")");
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : firstLine(message);
    }

    private static SQLException findSql(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static String stateClass(String state) {
        return switch (state.length() >= 2 ? state.substring(0, 2) : state) {
            case "08" -> "connection failure";
            case "23" -> "integrity constraint violation";
            case "40" -> "transaction rollback";
            case "53" -> "insufficient resources";
            case "57" -> "operator intervention";
            case "28" -> "invalid authorization";
            case "3D" -> "invalid database name";
            default -> "see server log";
        };
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
