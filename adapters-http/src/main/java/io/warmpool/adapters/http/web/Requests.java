package io.warmpool.adapters.http.web;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;

/** What every route reads from a request the same way: path names, bounded numbers, and the body limit. */
public final class Requests {

    /** The largest request body accepted (a presets upload has its own, larger limit); larger ones get 413. */
    public static final long MAX_BODY_BYTES = 1024 * 1024;

    private Requests() {
    }

    /** {@code {template}/{preset}} of the path. @throws IllegalArgumentException when a name is not valid (400) */
    public static PresetRef presetRef(Context ctx) {
        return PresetRef.parse(ctx.pathParam("template") + "/" + ctx.pathParam("preset"));
    }

    /** {@code {id}} of the path. @throws IllegalArgumentException when it is not a workspace id (400) */
    public static WorkspaceId workspaceId(Context ctx) {
        return WorkspaceId.parse(ctx.pathParam("id"));
    }

    /**
     * A whole-number query parameter within {@code min…max}, or {@code fallback} when absent.
     *
     * @throws BadRequestResponse naming the parameter, its range and the value given
     */
    public static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            value = min - 1;
        }
        if (value < min || value > max) {
            throw new BadRequestResponse(name + " must be a whole number between " + min + " and " + max
                    + ", got '" + abbreviate(text) + "'");
        }
        return value;
    }

    /**
     * The {@code cursor} query parameter: the {@code next} of a previous page, or {@code null} for the first.
     *
     * @throws BadRequestResponse when it is given empty
     */
    public static String cursor(Context ctx) {
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && cursor.isBlank()) {
            throw new BadRequestResponse("cursor must not be empty: give the 'next' of a previous page, or no cursor");
        }
        return cursor;
    }

    /** Whether the request says it has a body (a length above 0, or chunked). */
    public static boolean hasBody(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    /** Request text quoted in an answer: at most 120 characters. */
    public static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
