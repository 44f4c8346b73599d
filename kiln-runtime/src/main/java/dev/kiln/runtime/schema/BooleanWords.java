package dev.kiln.runtime.schema;

import java.util.Locale;
import java.util.Map;

/**
 * The words a boolean column writes its two answers in ({@code yes}/{@code no}, {@code Yes}/{@code No},
 * {@code true}/{@code false}, or for a column read as boolean by force {@code y}/{@code n}, {@code 1}/{@code 0}...):
 * what Kiln shows of such a column (a profile's values, the input columns {@code kiln predict} copies, validation's
 * cells, slices) is in the file's words rather than {@code true}/{@code false}. Where an answer is written more than
 * one way, what counts it (a profile, slices) names it as most of its rows write it, ties going to the first in
 * {@link String} order: the rule that names a yes/no target's classes ({@link #kept}); a cell keeps its own spelling
 * (kiln-data's {@code NumericColumn.asWritten}).
 *
 * @param trueWord  the word of the true answer (value 1)
 * @param falseWord the word of the false answer (value 0)
 */
public record BooleanWords(String trueWord, String falseWord) {
    /** The words of a column whose values say nothing else: a Parquet or JSON boolean, or no row at all. */
    public static final BooleanWords TRUE_FALSE = new BooleanWords("true", "false");

    /** The word of a boolean value (1 or 0, as {@link Values#parseBoolean} reads it). */
    public String word(double value) {
        return value == 1.0 ? trueWord : falseWord;
    }

    /**
     * The words of a column from the rows each spelling (a trimmed value {@link Values#parseBoolean} reads) holds. An
     * answer no row gives takes the counterpart of the other's word, cased alike ({@code Yes} → {@code No}); with
     * neither, {@link #TRUE_FALSE}.
     */
    public static BooleanWords of(Map<String, ? extends Number> rowsBySpelling) {
        String yes = kept(rowsBySpelling, 1.0);
        String no = kept(rowsBySpelling, 0.0);
        if (yes == null && no == null) {
            return TRUE_FALSE;
        }
        return new BooleanWords(yes != null ? yes : counterpart(no), no != null ? no : counterpart(yes));
    }

    /**
     * The spelling kept for the answer {@code truth} (1 or 0): the one most rows write among the spellings of that
     * answer, ties to the first in {@link String} order; null when none is.
     */
    public static String kept(Map<String, ? extends Number> rowsBySpelling, double truth) {
        String kept = null;
        long keptRows = -1;
        for (Map.Entry<String, ? extends Number> e : rowsBySpelling.entrySet()) {
            if (Values.parseBoolean(e.getKey()) != truth) {
                continue;
            }
            long n = e.getValue().longValue();
            if (n > keptRows || n == keptRows && e.getKey().compareTo(kept) < 0) {
                kept = e.getKey();
                keptRows = n;
            }
        }
        return kept;
    }

    /** The other answer's word in the same family and case: yes → no, True → False, Y → N, 1 → 0. */
    static String counterpart(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        String other = switch (lower) {
            case "true" -> "false";
            case "false" -> "true";
            case "yes" -> "no";
            case "no" -> "yes";
            case "t" -> "f";
            case "f" -> "t";
            case "y" -> "n";
            case "n" -> "y";
            case "1" -> "0";
            default -> "1";
        };
        if (word.equals(lower) || !Character.isLetter(word.charAt(0))) {
            return other;
        }
        if (word.equals(word.toUpperCase(Locale.ROOT))) {
            return other.toUpperCase(Locale.ROOT); // YES → NO, Y → N
        }
        return Character.toUpperCase(other.charAt(0)) + other.substring(1);
    }
}
