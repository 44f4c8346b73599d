package dev.kiln.data;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The strings of {@link JsonLineParser}: escapes decoded, and whether DuckDB could read a string as a date or UUID. */
final class JsonText {
    private JsonText() {
    }

    /** The string {@code a[from, to)} with its escapes decoded; a Decline for a bad escape or a lone surrogate. */
    static String unescaped(byte[] a, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int run = i;
            while (i < to && a[i] != '\\') {
                i++;
            }
            out.append(new String(a, run, i - run, StandardCharsets.UTF_8));
            if (i == to) {
                break;
            }
            char e = (char) a[i + 1];
            i += 2;
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 > to) {
                        throw new JsonLineParser.Decline("a bad escape");
                    }
                    out.append((char) hex4(a, i));
                    i += 4;
                }
                default -> throw new JsonLineParser.Decline("a bad escape");
            }
        }
        String s = out.toString();
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                    k++;
                } else {
                    throw new JsonLineParser.Decline("a lone surrogate");
                }
            } else if (ch == 0) {
                throw new JsonLineParser.Decline("a NUL character");
            }
        }
        return s;
    }

    private static int hex4(byte[] a, int i) {
        int v = 0;
        for (int k = i; k < i + 4; k++) {
            int d = Character.digit(a[k], 16);
            if (d < 0) {
                throw new JsonLineParser.Decline("a bad escape");
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** Words that DuckDB reads as a date or time although they hold no digit (checked in lower case). */
    private static final Set<String> SPECIAL_WORDS = Set.of("infinity", "-infinity", "+infinity", "epoch", "today",
            "tomorrow", "yesterday", "now", "allballs", "noon", "midnight", "nan", "-nan", "inf", "-inf");

    /**
     * Whether no date, time, timestamp or UUID can be {@code text}, whatever format DuckDB's detection tries: it holds
     * no digit and is not a special word, and it is not a UUID's 32 hexadecimal letters (with any hyphens and braces).
     * One such value in a column's sample is enough for DuckDB to keep the column VARCHAR; without one the file is left
     * to DuckDB.
     */
    static boolean plainText(String text) {
        boolean notHex = false;
        int hexLetters = 0;
        for (int k = 0; k < text.length(); k++) {
            char ch = text.charAt(k);
            if (Character.isDigit(ch)) {
                return false;
            }
            boolean hex = Character.digit(ch, 16) >= 0;
            hexLetters += hex ? 1 : 0;
            notHex |= !hex && ch != '-' && ch != '{' && ch != '}';
        }
        // Every date and time format needs digits; a UUID needs exactly 32 hexadecimal digits.
        notHex |= hexLetters != 32;
        return notHex && !SPECIAL_WORDS.contains(text.strip().toLowerCase(Locale.ROOT));
    }

}
