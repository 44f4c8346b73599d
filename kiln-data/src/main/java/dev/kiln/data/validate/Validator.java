package dev.kiln.data.validate;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.ReadOptions;
import dev.kiln.data.StringColumn;
import dev.kiln.data.validate.ValidationReport.ColumnReport;
import dev.kiln.data.validate.ValidationReport.Counts;
import dev.kiln.data.validate.ValidationReport.Example;
import dev.kiln.data.validate.ValidationReport.Issue;
import dev.kiln.data.validate.ValidationReport.Kind;
import dev.kiln.data.validate.ValidationReport.Status;
import dev.kiln.data.validate.ValidationReport.Summary;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a dataset against a model's {@link Expectations}. Each value of a column the model reads is put in
 * exactly one class, in this order: missing (a missing token, see {@link Values#isMissingToken}); invalid type
 * (not readable as the column's type under the rules of {@link Values} that reading and scoring use, including
 * a fraction in an integer column); new category (categorical, not among the known training categories); out of
 * range (numeric, integer, datetime: below the training minimum or above the training maximum); valid.
 * Columns are checked independently, so one bad value never hides the rest of the data.
 */
public final class Validator {
    private Validator() {
    }

    /**
     * Reads the file and validates it. The file is read with its types inferred, so that a column of numbers becomes
     * an array of doubles rather than a string per cell (a million rows of 20 numbers: 1.5 s and under 1 GB, against
     * half a minute and 5 GB as text). Such a column is checked from its numbers when the model expects the type it
     * was read as (or a number and it holds integers): its values then parse exactly as they would from their text,
     * so the counts are the same; examples show the numbers in canonical form ({@code 1.5} for {@code 1.50}). A column
     * read as strings already holds its text as a text read would give it (trimmed, missing tokens as missing), so it is
     * checked as it is. Only the other columns the model reads (numbers where it expects categories, such as zip codes
     * written {@code 007}, whose text matters as written, and numbers read as another type) are read again as text, in
     * a second read, and checked value by value.
     */
    public static ValidationReport validate(Path data, Expectations expected, ValidationOptions options) {
        DataFrame frame = DataReader.read(data, ReadOptions.defaults());
        Map<String, ColumnType> asText = new LinkedHashMap<>();
        for (Field field : expected.fields()) {
            if (frame.has(field.name()) && !checkedFromNumbers(field.type(), frame.column(field.name()))
                    && !(frame.column(field.name()) instanceof StringColumn)) {
                asText.put(field.name(), ColumnType.TEXT);
            }
        }
        if (!asText.isEmpty()) {
            frame = DataReader.read(data, ReadOptions.defaults().withTypes(asText));
        }
        return validate(frame, expected, options);
    }

    /** Whether the column's numbers give the counts its text would, for a model expecting {@code expected}. */
    static boolean checkedFromNumbers(ColumnType expected, DataColumn column) {
        if (!(column instanceof NumericColumn)) {
            return false;
        }
        ColumnType read = column.type();
        return read == expected && (read == ColumnType.NUMERIC || read == ColumnType.INTEGER)
                || expected == ColumnType.NUMERIC && read == ColumnType.INTEGER;
    }

    /** Validates a frame; typed columns are turned back into text before they are checked. */
    public static ValidationReport validate(DataFrame frame, Expectations expected, ValidationOptions options) {
        options = options == null ? ValidationOptions.defaults() : options;
        int rows = frame.rowCount();
        // Per row: 0 clean, 1 warning, 2 failing.
        byte[] rowState = new byte[rows];
        Set<String> needed = new HashSet<>();
        List<String> missingColumns = new ArrayList<>();
        List<ColumnReport> columns = new ArrayList<>();
        Map<Kind, Long> issueCounts = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            issueCounts.put(k, 0L);
        }
        for (Field field : expected.fields()) {
            needed.add(field.name());
            ColumnReport report;
            if (!frame.has(field.name())) {
                missingColumns.add(field.name());
                java.util.Arrays.fill(rowState, (byte) 2);
                report = absent(field, expected, rows);
            } else {
                report = column(field, frame.column(field.name()), expected, options, rowState);
            }
            for (Issue issue : report.issues()) {
                long n = issue.kind() == Kind.MISSING_RATE_JUMP || issue.kind() == Kind.MISSING_COLUMN ? 1 : issue.count();
                issueCounts.merge(issue.kind(), n, Long::sum);
            }
            columns.add(report);
        }
        List<String> extra = frame.names().stream().filter(n -> !needed.contains(n)).toList();
        long clean = 0;
        long warn = 0;
        long fail = 0;
        for (byte b : rowState) {
            switch (b) {
                case 0 -> clean++;
                case 1 -> warn++;
                default -> fail++;
            }
        }
        Status status = Status.PASS;
        for (ColumnReport c : columns) {
            status = Status.worst(status, c.status());
        }
        int withIssues = (int) columns.stream().filter(c -> !c.issues().isEmpty()).count();
        Summary summary = new Summary(columns.size(), withIssues, clean, warn, fail, issueCounts);
        return new ValidationReport(frame.source(), frame.sha256(), rows, ValidationReport.ROW_NUMBERS, status, summary,
                missingColumns, extra, columns, options);
    }

    private static ColumnReport absent(Field field, Expectations expected, int rows) {
        ColumnProfile p = profile(expected, field.name());
        Issue issue = new Issue(Kind.MISSING_COLUMN, Status.FAIL, rows, null,
                "the model needs column '" + field.name() + "' (" + field.type().wireName() + "); the data lacks it", List.of());
        return new ColumnReport(field.name(), field.type().wireName(), false, Status.FAIL, new Counts(0, 0, 0, 0, 0, rows),
                0.0, p == null ? null : p.missingFraction(), rangeMin(field, p), rangeMax(field, p),
                known(expected, field), expected.categoriesComplete().get(field.name()), List.of(issue));
    }

    private static ColumnReport column(Field field, DataColumn column, Expectations expected, ValidationOptions options,
                                       byte[] rowState) {
        ColumnType type = field.type();
        ColumnProfile p = profile(expected, field.name());
        Double min = rangeMin(field, p);
        Double max = rangeMax(field, p);
        Set<String> known = expected.knownCategories().get(field.name());
        long valid = 0;
        long missing = 0;
        long invalid = 0;
        long newCategory = 0;
        long outOfRange = 0;
        int maxExamples = options.maxExamples();
        List<Example> missingExamples = new ArrayList<>();
        List<Example> invalidExamples = new ArrayList<>();
        List<Example> newExamples = new ArrayList<>();
        List<Example> rangeExamples = new ArrayList<>();
        Set<String> newValues = new LinkedHashSet<>();
        boolean fromNumbers = checkedFromNumbers(type, column);
        double[] numbers = fromNumbers ? ((NumericColumn) column).values() : null;
        for (int i = 0, n = column.size(); i < n; i++) {
            if (fromNumbers) {
                // The number the text would parse to, without making the text: only examples are written out.
                double d = numbers[i];
                if (Double.isNaN(d)) {
                    missing++;
                    add(missingExamples, maxExamples, i + 1L, null);
                } else if (type == ColumnType.INTEGER && d != Math.rint(d)) {
                    invalid++;
                    rowState[i] = 2;
                    add(invalidExamples, maxExamples, i + 1L, Values.canonicalNumberText(d));
                } else if (min != null && max != null && (d < min || d > max)) {
                    outOfRange++;
                    rowState[i] = (byte) Math.max(rowState[i], 1);
                    add(rangeExamples, maxExamples, i + 1L, Values.canonicalNumberText(d));
                } else {
                    valid++;
                }
                continue;
            }
            String raw = text(column, i);
            long row = i + 1L;
            if (Values.isMissingToken(raw)) {
                missing++;
                add(missingExamples, maxExamples, row, null);
                continue;
            }
            String s = raw.trim();
            if (type.isNumericLike()) {
                double d = Values.parseAs(type, s);
                if (Double.isNaN(d) || type == ColumnType.INTEGER && d != Math.rint(d)) {
                    invalid++;
                    rowState[i] = 2;
                    add(invalidExamples, maxExamples, row, s);
                } else if (min != null && max != null && (d < min || d > max)) {
                    outOfRange++;
                    rowState[i] = (byte) Math.max(rowState[i], 1);
                    add(rangeExamples, maxExamples, row, s);
                } else {
                    valid++;
                }
            } else if (type == ColumnType.CATEGORICAL && known != null && !known.contains(s)) {
                newCategory++;
                newValues.add(s);
                rowState[i] = (byte) Math.max(rowState[i], 1);
                add(newExamples, maxExamples, row, s);
            } else {
                valid++;
            }
        }
        int rows = column.size();
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
            issues.add(new Issue(Kind.NEW_CATEGORY, Status.WARN, newCategory, (long) newValues.size(),
                    newCategory + " value(s) in " + newValues.size() + " categor" + (newValues.size() == 1 ? "y" : "ies")
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

    private static void add(List<Example> examples, int max, long row, String value) {
        if (examples.size() < max) {
            examples.add(new Example(row, value));
        }
    }

    private static ColumnProfile profile(Expectations expected, String name) {
        return expected.profile() == null ? null : expected.profile().column(name).orElse(null);
    }

    private static Integer known(Expectations expected, Field field) {
        Set<String> known = expected.knownCategories().get(field.name());
        return known == null ? null : known.size();
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

    private static String expectation(ColumnType type) {
        return switch (type) {
            case NUMERIC -> "a number";
            case INTEGER -> "an integer";
            case BOOLEAN -> "a boolean (true/false, yes/no, 1/0)";
            case DATETIME -> "a date or date-time (ISO 8601)";
            default -> "a string";
        };
    }

    /** The cell as text: string columns as held, typed columns in the form a user would have written. */
    static String text(DataColumn column, int row) {
        if (column instanceof NumericColumn) {
            Object v = column.value(row);
            double d = v instanceof Double x ? x : Double.NaN;
            if (Double.isNaN(d)) {
                return null;
            }
            return switch (column.type()) {
                case DATETIME -> Instant.ofEpochMilli((long) d).toString();
                case BOOLEAN -> d == 1.0 ? "true" : "false";
                default -> Values.canonicalNumberText(d);
            };
        }
        Object v = column.value(row);
        return v == null ? null : v.toString();
    }
}
