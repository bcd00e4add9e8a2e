package io.warmpool.bootstrap.cli;

import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for terminals: columns padded to the widest cell. */
final class Tables {

    private Tables() {
    }

    static String render(List<String> header, List<List<String>> rows) {
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
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                sb.append(i == widths.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
