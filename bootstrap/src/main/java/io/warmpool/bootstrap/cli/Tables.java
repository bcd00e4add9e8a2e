package io.warmpool.bootstrap.cli;

import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for terminals: columns padded to the widest cell. */
final class Tables {

    private Tables() {
    }

    static String render(List<String> header, List<List<String>> rows) {
        return render(header, rows, List.of());
    }

    /**
     * A table with a note under some rows: {@code notes.get(i)}, when there and not {@code null}, is printed on its
     * own line after row {@code i}, indented by two spaces and not counted in the column widths.
     */
    static String render(List<String> header, List<List<String>> rows, List<String> notes) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size() && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            for (int i = 0; i < widths.length; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                sb.append(i == widths.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
            }
            sb.append('\n');
            String note = r > 0 && r - 1 < notes.size() ? notes.get(r - 1) : null;
            if (note != null) {
                sb.append("  ").append(note).append('\n');
            }
        }
        return sb.toString();
    }
}
