package dev.kiln.app.cli;

import dev.kiln.runtime.schema.Values;

/**
 * CSV injection (OWASP): a spreadsheet opening a CSV runs a cell that starts with {@code = + - @}, a tab or a carriage
 * return as a formula ({@code =cmd|' /C calc'!A0}, {@code +HYPERLINK(...)}, {@code @SUM(...)}). Such a cell copied from
 * an input into an output gets a leading single quote, which makes the spreadsheet show it as text; a number such
 * as {@code -3.5} or {@code +1e-3} is not a formula and is left alone.
 */
final class FormulaCells {
    private FormulaCells() {
    }

    static boolean isFormula(String cell) {
        if (cell.isEmpty()) {
            return false;
        }
        return switch (cell.charAt(0)) {
            case '=', '@', '\t', '\r' -> true;
            case '+', '-' -> !isNumber(cell);
            default -> false;
        };
    }

    /** A plain decimal number, as Kiln and spreadsheets write them, or Java's signed infinities. */
    private static boolean isNumber(String cell) {
        return Values.isNumberText(cell) || cell.length() == 9 && cell.endsWith("Infinity");
    }

    /** {@code cell}, with a leading {@code '} when a spreadsheet would run it. */
    static String escape(String cell) {
        return isFormula(cell) ? "'" + cell : cell;
    }
}
