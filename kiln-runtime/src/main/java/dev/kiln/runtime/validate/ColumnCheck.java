package dev.kiln.runtime.validate;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import dev.kiln.runtime.validate.ValidationReport.Counts;
import dev.kiln.runtime.validate.ValidationReport.Example;
import dev.kiln.runtime.validate.ValidationReport.Issue;
import dev.kiln.runtime.validate.ValidationReport.Kind;
import dev.kiln.runtime.validate.ValidationReport.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One column the model reads, checked value by value. Each value is put in exactly one class, in this order: missing
 * (a missing token, see {@link Values#isMissingToken}); invalid type (not readable as the column's type under the
 * rules of {@link Values} that reading and scoring use, including a fraction in an integer column); new category
 * (categorical, not among the known training categories); out of range (numeric, integer, datetime: below the training
 * minimum or above the training maximum); valid. The tally (counts, the first examples of each issue in the order
 * values came, the distinct new categories) merges with the tally of a later part of the same column
 * ({@link #merge}), so a column checked in parts gives the counts of the column checked whole.
 */
public final class ColumnCheck {
    /** What {@link #checkText} and {@link #checkNumber} say of a row: no issue, a warning, a failure. */
    public static final int CLEAN = 0;
    public static final int WARN = 1;
    public static final int FAIL = 2;

    private final ColumnType type;
    private final Double min;
    private final Double max;
    private final Set<String> known;
    private final int maxExamples;
    private final int maxNewValues;
    private long valid;
    private long missing;
    private long invalid;
    private long newCategory;
    private long outOfRange;
    private final List<Example> missingExamples = new ArrayList<>();
    private final List<Example> invalidExamples = new ArrayList<>();
    private final List<Example> newExamples = new ArrayList<>();
    private final List<Example> rangeExamples = new ArrayList<>();
    private final Set<String> newValues = new LinkedHashSet<>();
    private boolean newValuesCapped;

    /**
     * The check of {@code field} against {@code expected}. {@code maxNewValues} bounds the distinct new categories
     * kept (a part of a large dataset ships them; past the bound the report says "at least"); one machine keeps them
     * all ({@link Integer#MAX_VALUE}).
     */
    public ColumnCheck(Field field, Expectations expected, ValidationOptions options, int maxNewValues) {
        ColumnProfile p = profile(expected, field.name());
        this.type = field.type();
        this.min = rangeMin(field, p);
        this.max = rangeMax(field, p);
        this.known = expected.knownCategories().get(field.name());
        this.maxExamples = options.maxExamples();
        this.maxNewValues = maxNewValues;
    }

    /** A value as text (null when missing), at {@code row}; returns {@link #CLEAN}, {@link #WARN} or {@link #FAIL}. */
    public int checkText(long row, String raw) {
        if (Values.isMissingToken(raw)) {
            missing++;
            add(missingExamples, row, null);
            return CLEAN;
        }
        String s = raw.trim();
        if (type.isNumericLike()) {
            double d = Values.parseFitting(type, s);
            if (Double.isNaN(d)) {
                invalid++;
                add(invalidExamples, row, s);
                return FAIL;
            }
            if (min != null && max != null && (d < min || d > max)) {
                outOfRange++;
                add(rangeExamples, row, s);
                return WARN;
            }
            valid++;
            return CLEAN;
        }
        if (type == ColumnType.CATEGORICAL && known != null && !known.contains(s)) {
            newCategory++;
            if (newValues.size() < maxNewValues) {
                newValues.add(s);
            } else if (!newValues.contains(s)) {
                newValuesCapped = true;
            }
            add(newExamples, row, s);
            return WARN;
        }
        valid++;
        return CLEAN;
    }

    /**
     * A value read as a number (NaN when missing) in a numeric or integer column: the class its text would get, the
     * examples in canonical form ({@code 1.5} for {@code 1.50}).
     */
    public int checkNumber(long row, double d) {
        if (Double.isNaN(d)) {
            missing++;
            add(missingExamples, row, null);
            return CLEAN;
        }
        if (type == ColumnType.INTEGER && d != Math.rint(d)) {
            invalid++;
            add(invalidExamples, row, Values.canonicalNumberText(d));
            return FAIL;
        }
        if (min != null && max != null && (d < min || d > max)) {
            outOfRange++;
            add(rangeExamples, row, Values.canonicalNumberText(d));
            return WARN;
        }
        valid++;
        return CLEAN;
    }

    private void add(List<Example> examples, long row, String value) {
        if (examples.size() < maxExamples) {
            examples.add(new Example(row, value));
        }
    }

    /**
     * What a part of a column found, as it crosses the wire (JSON): the counts, the examples (rows as the part numbers
     * them), the distinct new categories it kept, and whether it had more.
     */
    public record Tally(long valid, long missing, long invalid, long newCategory, long outOfRange,
                       List<Example> missingExamples, List<Example> invalidExamples, List<Example> newExamples,
                       List<Example> rangeExamples, List<String> newValues, boolean newValuesCapped) {
        /** This tally with each example's row moved by {@code offset} and its file set to {@code file}. */
        public Tally placed(long offset, String file) {
            return new Tally(valid, missing, invalid, newCategory, outOfRange, placed(missingExamples, offset, file),
                    placed(invalidExamples, offset, file), placed(newExamples, offset, file),
                    placed(rangeExamples, offset, file), newValues, newValuesCapped);
        }

        private static List<Example> placed(List<Example> examples, long offset, String file) {
            return examples.stream().map(e -> new Example(e.row() + offset, e.value(), file)).toList();
        }
    }

    public Tally tally() {
        return new Tally(valid, missing, invalid, newCategory, outOfRange, List.copyOf(missingExamples),
                List.copyOf(invalidExamples), List.copyOf(newExamples), List.copyOf(rangeExamples),
                List.copyOf(newValues), newValuesCapped);
    }

    /** Adds the tally of a later part of the column: its counts, and its examples while fewer than the maximum are kept. */
    public void merge(Tally later) {
        valid += later.valid();
        missing += later.missing();
        invalid += later.invalid();
        newCategory += later.newCategory();
        outOfRange += later.outOfRange();
        later.missingExamples().forEach(e -> add(missingExamples, e));
        later.invalidExamples().forEach(e -> add(invalidExamples, e));
        later.newExamples().forEach(e -> add(newExamples, e));
        later.rangeExamples().forEach(e -> add(rangeExamples, e));
        newValuesCapped |= later.newValuesCapped();
        for (String v : later.newValues()) {
            if (newValues.size() < maxNewValues) {
                newValues.add(v);
            } else if (!newValues.contains(v)) {
                newValuesCapped = true;
            }
        }
    }

    private void add(List<Example> examples, Example e) {
        if (examples.size() < maxExamples) {
            examples.add(e);
        }
    }

    /** The column's report over {@code rows} rows, with its issues and status. */
    public ColumnReport report(Field field, Expectations expected, ValidationOptions options, long rows) {
        ColumnProfile p = profile(expected, field.name());
        double missingRate = rows == 0 ? 0.0 : (double) missing / rows;
        Double trainingMissing = p == null ? null : p.missingFraction();
        List<Issue> issues = new ArrayList<>();
        String expectedType = expectation(type);
        if (invalid > 0) {
            issues.add(new Issue(Kind.INVALID_TYPE, Status.FAIL, invalid, null, invalid + " value(s) are not " + expectedType,
                    invalidExamples));
        }
        if (newCategory > 0) {
            boolean complete = Boolean.TRUE.equals(expected.categoriesComplete().get(field.name()));
            int distinct = newValues.size();
            issues.add(new Issue(Kind.NEW_CATEGORY, Status.WARN, newCategory, (long) distinct,
                    newCategory + " value(s) in " + (newValuesCapped ? "at least " : "") + distinct + " categor"
                            + (distinct == 1 && !newValuesCapped ? "y" : "ies")
                            + " not seen in training (" + known.size() + " known"
                            + (complete ? "" : "; the training profile lists only its most frequent categories, so a rare "
                            + "training value can show here") + "); the model scores them as unknown",
                    newExamples));
        }
        if (outOfRange > 0) {
            issues.add(new Issue(Kind.OUT_OF_RANGE, Status.WARN, outOfRange, null, outOfRange
                    + " value(s) outside the training range [" + show(type, min) + ", " + show(type, max) + "]", rangeExamples));
        }
        if (trainingMissing != null && missingRate - trainingMissing > options.missingRateJump()) {
            issues.add(new Issue(Kind.MISSING_RATE_JUMP, Status.WARN, missing, null, String.format(Locale.ROOT,
                    "missing share %.1f%% against %.1f%% in training (more than %.1f points higher)", 100 * missingRate,
                    100 * trainingMissing, 100 * options.missingRateJump()), missingExamples));
        }
        Status status = Status.PASS;
        for (Issue issue : issues) {
            status = Status.worst(status, issue.severity());
        }
        return new ColumnReport(field.name(), type.wireName(), true, status,
                new Counts(valid, missing, invalid, newCategory, outOfRange, 0), missingRate, trainingMissing, min, max,
                known == null ? null : known.size(), expected.categoriesComplete().get(field.name()), issues);
    }

    /** The report of a column the model needs and the data lacks: every row absent, the status fail. */
    public static ColumnReport absent(Field field, Expectations expected, long rows) {
        ColumnProfile p = profile(expected, field.name());
        Issue issue = new Issue(Kind.MISSING_COLUMN, Status.FAIL, rows, null,
                "the model needs column '" + field.name() + "' (" + field.type().wireName() + "); the data lacks it", List.of());
        Set<String> known = expected.knownCategories().get(field.name());
        return new ColumnReport(field.name(), field.type().wireName(), false, Status.FAIL, new Counts(0, 0, 0, 0, 0, rows),
                0.0, p == null ? null : p.missingFraction(), rangeMin(field, p), rangeMax(field, p),
                known == null ? null : known.size(), expected.categoriesComplete().get(field.name()), List.of(issue));
    }

    /** A bound as a user would write it: a date-time for datetime columns, else a number. */
    public static String show(ColumnType type, Double value) {
        if (value == null) {
            return "";
        }
        if (type == ColumnType.DATETIME) {
            return Instant.ofEpochMilli(value.longValue()).toString();
        }
        return Values.canonicalNumberText(value);
    }

    private static ColumnProfile profile(Expectations expected, String name) {
        return expected.profile() == null ? null : expected.profile().column(name).orElse(null);
    }

    private static boolean ranged(ColumnType type) {
        return type == ColumnType.NUMERIC || type == ColumnType.INTEGER || type == ColumnType.DATETIME;
    }

    private static Double rangeMin(Field field, ColumnProfile p) {
        return p != null && ranged(field.type()) ? p.min() : null;
    }

    private static Double rangeMax(Field field, ColumnProfile p) {
        return p != null && ranged(field.type()) ? p.max() : null;
    }

    private static String expectation(ColumnType type) {
        return switch (type) {
            case NUMERIC -> "a number";
            case INTEGER -> "an integer";
            case BOOLEAN -> "a boolean (true/false, yes/no, 1/0)";
            case DATETIME -> "a date or date-time (ISO 8601)";
            default -> "a string";
        };
    }
}
