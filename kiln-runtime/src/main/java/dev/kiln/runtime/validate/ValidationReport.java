package dev.kiln.runtime.validate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import java.util.Locale;

/**
 * The result of checking a dataset against a model's expectations. Row numbers are 1-based data rows:
 * the header is not counted, so in a CSV without multi-line quoted fields row {@code n} is file line
 * {@code n + 1}. Every row is accounted for: per column, {@link Counts#total()} equals {@code rows}, and
 * {@code rows_clean + rows_with_warnings + rows_failing == rows}.
 *
 * @param dataset        where the data came from
 * @param datasetSha256  the data's version (SHA-256 of its bytes), null for data built in memory
 * @param rows           data rows read
 * @param rowNumbers     how {@link Example#row()} counts, in words
 * @param status         pass, warn or fail (see {@link Status})
 * @param summary        counts over the whole dataset
 * @param missingColumns columns the model needs that the data lacks (fail)
 * @param extraColumns   columns the model does not read (reported, not an error; the target is one of them)
 * @param columns        one report per column the model reads, in the model's order
 * @param thresholds     the thresholds used
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ValidationReport(
        String dataset,
        String datasetSha256,
        long rows,
        String rowNumbers,
        Status status,
        Summary summary,
        List<String> missingColumns,
        List<String> extraColumns,
        List<ColumnReport> columns,
        ValidationOptions thresholds) {

    public static final String ROW_NUMBERS = "1-based data rows (the header is not counted; in a CSV without "
            + "multi-line fields, file line = row + 1)";
    /** How rows count when the data is several files read in parts (kiln spark validate): each example names its file. */
    public static final String ROW_NUMBERS_PER_FILE = "1-based data rows of the example's file (the header is not "
            + "counted; in a CSV without multi-line fields, file line = row + 1)";

    public ValidationReport {
        missingColumns = List.copyOf(missingColumns);
        extraColumns = List.copyOf(extraColumns);
        columns = List.copyOf(columns);
    }

    /** fail: a column the model needs is missing, or a value is not of its column's type; warn: new categories,
     * values outside the training range, or missing-rate jumps; pass: none of these. */
    public enum Status {
        PASS, WARN, FAIL;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The status from which a validate command exits with its failure code: {@code --fail-on} fail or warn, refused
         * naming the option otherwise.
         */
        public static Status failOn(String level) {
            return switch (level.trim().toLowerCase(Locale.ROOT)) {
                case "fail" -> FAIL;
                case "warn" -> WARN;
                default -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--fail-on must be fail or warn, got '"
                        + level + "'", java.util.Map.of("option", "--fail-on", "fail_on", level));
            };
        }

        static Status worst(Status a, Status b) {
            return a.ordinal() >= b.ordinal() ? a : b;
        }
    }

    /** The kinds of issue, with the status each one leads to. */
    public enum Kind {
        MISSING_COLUMN(Status.FAIL),
        INVALID_TYPE(Status.FAIL),
        NEW_CATEGORY(Status.WARN),
        OUT_OF_RANGE(Status.WARN),
        MISSING_RATE_JUMP(Status.WARN);

        private final Status severity;

        Kind(Status severity) {
            this.severity = severity;
        }

        public Status severity() {
            return severity;
        }

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param rowsClean        rows with no issue in any column the model reads (missing values are not issues)
     * @param rowsWithWarnings rows whose worst issue is a warning (new category, out of range)
     * @param rowsFailing      rows with a type violation, or every row when a needed column is missing
     * @param issues           number of cells per kind of issue (missing_rate_jump and missing_column count columns)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(int columnsChecked, int columnsWithIssues, long rowsClean, long rowsWithWarnings,
                          long rowsFailing, java.util.Map<Kind, Long> issues) {
    }

    /**
     * One column the model reads.
     *
     * @param present                 whether the data has the column
     * @param missingRate             share of rows with a missing value (0 when the column is absent)
     * @param trainingMissingRate     the training rows' missing share, null without a profile
     * @param trainingMin             the training minimum (numeric, integer, datetime as epoch ms), or null
     * @param knownCategories         how many training categories are known (categorical), or null
     * @param knownCategoriesComplete whether those are all the training categories; when false a reported new
     *                                category may be a rare training value
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ColumnReport(String name, String type, boolean present, Status status, Counts counts,
                               double missingRate, Double trainingMissingRate, Double trainingMin, Double trainingMax,
                               Integer knownCategories, Boolean knownCategoriesComplete, List<Issue> issues) {
        public ColumnReport {
            issues = List.copyOf(issues);
        }
    }

    /**
     * Every row of a column falls in exactly one count: {@code valid + missing + invalid_type + new_category +
     * out_of_range + absent == rows} ({@code absent} is every row when the column is missing from the data).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Counts(long valid, long missing, long invalidType, long newCategory, long outOfRange, long absent) {
        public long total() {
            return valid + missing + invalidType + newCategory + outOfRange + absent;
        }
    }

    /**
     * One kind of issue in one column: how many rows (for missing_rate_jump: missing rows; for missing_column:
     * all rows), a message, and the first examples in row order.
     *
     * @param distinctValues how many distinct offending values (new categories), else null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Issue(Kind kind, Status severity, long count, Long distinctValues, String message, List<Example> examples) {
        public Issue {
            examples = List.copyOf(examples);
        }
    }

    /**
     * A row (1-based data row) and its value as read (null when missing); {@code file} is the file the row is in when
     * the data is read in parts from several files ({@code kiln spark validate}: the row then counts in that file), else
     * null and left out of the JSON.
     */
    public record Example(long row, String value, @JsonInclude(JsonInclude.Include.NON_NULL) String file) {
        public Example(long row, String value) {
            this(row, value, null);
        }
    }

    /**
     * The report of {@code columns} (one per column the model reads, in its order) over {@code rows} rows, with the
     * rows counted by their worst issue ({@code rowsClean + rowsWithWarnings + rowsFailing == rows}).
     */
    public static ValidationReport of(String dataset, String datasetSha256, long rows, List<ColumnReport> columns,
                                      List<String> missingColumns, List<String> extraColumns, long rowsClean,
                                      long rowsWithWarnings, long rowsFailing, ValidationOptions options) {
        java.util.Map<Kind, Long> issueCounts = new java.util.EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            issueCounts.put(k, 0L);
        }
        Status status = Status.PASS;
        for (ColumnReport c : columns) {
            for (Issue issue : c.issues()) {
                // missing_rate_jump and missing_column count columns, the other kinds cells
                long n = issue.kind() == Kind.MISSING_RATE_JUMP || issue.kind() == Kind.MISSING_COLUMN ? 1 : issue.count();
                issueCounts.merge(issue.kind(), n, Long::sum);
            }
            status = Status.worst(status, c.status());
        }
        int withIssues = (int) columns.stream().filter(c -> !c.issues().isEmpty()).count();
        Summary summary = new Summary(columns.size(), withIssues, rowsClean, rowsWithWarnings, rowsFailing, issueCounts);
        return new ValidationReport(dataset, datasetSha256, rows, ROW_NUMBERS, status, summary, missingColumns,
                extraColumns, columns, options);
    }
}
