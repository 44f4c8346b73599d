package dev.kiln.train.search;

import java.util.SplittableRandom;

/**
 * One hyperparameter a search varies: its range and how values are drawn from it, and the trainer's default
 * (which may lie outside the range, e.g. gbdt's alpha 0 when the range is log-scaled from 1e-3).
 *
 * @param name         the trainer's parameter name, as {@code --search-space} spells it after the algorithm
 * @param scale        how values are drawn: uniform integers, uniform reals, log-uniform reals, or a cap
 * @param low          smallest value drawn (and accepted when narrowing)
 * @param high         largest value drawn (and accepted when narrowing)
 * @param defaultValue the trainer's default: the search's first configuration
 * @param narrowed     whether a user narrowed the range (then a default outside it is clamped into it)
 */
public record Dimension(String name, Scale scale, double low, double high, double defaultValue, boolean narrowed) {
    public enum Scale {
        INT, LINEAR, LOG,
        /** An integer cap (gbdt's max_rounds): always drawn at its upper end, early stopping finds the rest. */
        CAP
    }

    public Dimension(String name, Scale scale, double low, double high, double defaultValue) {
        this(name, scale, low, high, defaultValue, false);
    }

    public Dimension {
        if (!(low <= high) || (scale == Scale.LOG && !(low > 0) && !(low == high && low == defaultValue))) {
            throw new IllegalArgumentException(name + ": bad range " + low + ".." + high);
        }
    }

    /** A fixed value (the range narrowed to one point). */
    public boolean fixed() {
        return low == high;
    }

    /** Whether {@code value} may be given for this dimension: in the range, or the default itself. */
    public boolean accepts(double value) {
        return (value >= low && value <= high) || value == defaultValue;
    }

    /** The same dimension over {@code [from, to]}. */
    public Dimension narrowed(double from, double to) {
        return new Dimension(name, scale, from, to, defaultValue, true);
    }

    /** A value drawn from the range. */
    public Object sample(SplittableRandom random) {
        if (fixed()) {
            return box(low);
        }
        return switch (scale) {
            case INT -> (int) low + random.nextInt((int) high - (int) low + 1);
            case CAP -> (int) high;
            case LINEAR -> low + random.nextDouble() * (high - low);
            case LOG -> Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)));
        };
    }

    /** The default as the trainer takes it; when a user narrowed the range away from it, the nearest value in it. */
    public Object first() {
        if (!narrowed || (defaultValue >= low && defaultValue <= high)) {
            return box(defaultValue);
        }
        return box(Math.max(low, Math.min(high, defaultValue)));
    }

    Object box(double value) {
        return scale == Scale.INT || scale == Scale.CAP ? (Object) (int) Math.round(value) : (Object) value;
    }

    /** "int 2..10", "log 0.01..0.3". */
    public String rangeText() {
        String kind = switch (scale) {
            case INT -> "int";
            case CAP -> "cap (drawn at its top)";
            case LINEAR -> "uniform";
            case LOG -> "log-uniform";
        };
        return kind + " " + format(low) + ".." + format(high);
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
