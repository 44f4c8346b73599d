package dev.kiln.runtime.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with right-aligned numbers, for terminal output: the tables of kiln's commands, on one machine
 * (kiln-app) and on Spark (kiln-spark) alike.
 */
public class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    public String render() {
        int[] width = new int[header.size()];
        for (int j = 0; j < width.length; j++) {
            width[j] = header.get(j).length();
            for (List<String> r : rows) {
                width[j] = Math.max(width[j], j < r.size() ? r.get(j).length() : 0);
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (int j = 0; j < width.length; j++) {
            sb.append(j == 0 ? "" : "  ").append("-".repeat(width[j]));
        }
        sb.append('\n');
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    /** The same table as Markdown (pipes in cells escaped). */
    public String renderMarkdown() {
        StringBuilder sb = new StringBuilder();
        markdownLine(sb, header);
        sb.append('|').append(" --- |".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            markdownLine(sb, r);
        }
        return sb.toString();
    }

    private static void markdownLine(StringBuilder sb, List<String> cells) {
        sb.append('|');
        for (String c : cells) {
            sb.append(' ').append(c.replace("|", "\\|")).append(" |");
        }
        sb.append('\n');
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int j = 0; j < width.length; j++) {
            String c = j < cells.size() ? cells.get(j) : "";
            boolean numeric = !c.isEmpty() && c.matches("[-+0-9.,%eE ]+|NaN");
            sb.append(j == 0 ? "" : "  ");
            sb.append(numeric ? " ".repeat(width[j] - c.length()) + c : c + " ".repeat(width[j] - c.length()));
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    /** {@code v} with {@code decimals} decimals, in scientific notation from ten million; "" for null. */
    public static String num(Double v, int decimals) {
        if (v == null) {
            return "";
        }
        if (v.isNaN()) {
            return "NaN";
        }
        double a = Math.abs(v);
        if (a >= 1e7) {
            return String.format(java.util.Locale.ROOT, "%.3e", v);
        }
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    }
}
