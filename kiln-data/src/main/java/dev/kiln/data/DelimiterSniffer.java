package dev.kiln.data;

/**
 * Guesses the CSV delimiter from the first lines. For each candidate it counts occurrences outside
 * quotes per line; a candidate that appears in the header the same number of times on every sampled
 * line is consistent. The consistent candidate with the most occurrences wins; when none is
 * consistent (e.g. a ragged file, reported later with its line), the one most frequent in the header
 * wins. Ties go to the earlier of {@code , ; TAB |}. No candidate at all means a single column.
 */
final class DelimiterSniffer {
    static final char[] CANDIDATES = {',', ';', '\t', '|'};
    private static final int SAMPLE_LINES = 20;

    private DelimiterSniffer() {
    }

    /**
     * @param text the start of the input
     * @param whole whether {@code text} is the whole input (otherwise its last, cut-off line is ignored)
     */
    static char sniff(String text, boolean whole) {
        int[][] counts = new int[SAMPLE_LINES][CANDIDATES.length];
        int lines = 0;
        int[] current = new int[CANDIDATES.length];
        boolean inQuotes = false;
        boolean blank = true;
        for (int i = 0; i < text.length() && lines < SAMPLE_LINES; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                inQuotes = !inQuotes;
                blank = false;
            } else if (!inQuotes && (c == '\n' || c == '\r')) {
                if (!blank) {
                    counts[lines++] = current;
                }
                current = new int[CANDIDATES.length];
                blank = true;
            } else if (!inQuotes) {
                for (int k = 0; k < CANDIDATES.length; k++) {
                    if (c == CANDIDATES[k]) {
                        current[k]++;
                    }
                }
                if (c > ' ' || c == '\t') {
                    blank = false;
                }
            }
        }
        if (whole && !blank && lines < SAMPLE_LINES) {
            counts[lines++] = current;
        }
        if (lines == 0) {
            return ',';
        }
        int best = -1;
        int fallback = -1;
        for (int k = 0; k < CANDIDATES.length; k++) {
            int inHeader = counts[0][k];
            if (inHeader == 0) {
                continue;
            }
            if (fallback < 0 || inHeader > counts[0][fallback]) {
                fallback = k;
            }
            boolean consistent = true;
            for (int l = 1; l < lines; l++) {
                consistent &= counts[l][k] == inHeader;
            }
            if (consistent && (best < 0 || inHeader > counts[0][best])) {
                best = k;
            }
        }
        if (best >= 0) {
            return CANDIDATES[best];
        }
        return fallback >= 0 ? CANDIDATES[fallback] : ',';
    }
}
