package dev.kiln.train.constraints;

import java.util.Locale;

/** How constraint limits and candidates' values are written in violations and refusals: short, fixed decimals. */
final class ChoiceWording {
    private ChoiceWording() {
    }

    /** A limit or value as a person would type it: {@code 5}, {@code 7.9}, {@code 0.42}. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return stripZeros(String.format(Locale.ROOT, "%.2g", v));
    }

    static String micros(double v) {
        return number(v) + " µs";
    }

    static String seconds(double v) {
        return number(v) + " s";
    }

    /** Bytes in KB of 1024, as {@code --max-bundle-kb} counts them. */
    static String kilobytes(double bytes) {
        return number(bytes / Constraints.KB) + " KB";
    }

    /** {@code value} as a multiple of {@code limit}: {@code 1.6x}; two decimals just over the limit. */
    static String ratio(double value, double limit) {
        double r = value / limit;
        return String.format(Locale.ROOT, r < 1.1 ? "%.2fx" : "%.1fx", r);
    }

    private static String stripZeros(String s) {
        return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
