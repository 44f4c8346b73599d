package dev.kiln.spark.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.validate.ColumnCheck;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * {@code kiln data validate}'s report on a Spark dataset: each partition checks its rows by the runtime's rule
 * ({@link ColumnCheck}) and ships small tallies back as JSON ({@link ValidatePartitions}); the driver orders them by
 * file and split, numbers each example's row within its file, and merges them. Counts, statuses, issues and summary
 * are those of the single-machine command on the same rows; so are the examples of a single file (with several files,
 * each example names its file and its row in it).
 */
public final class SparkValidator {
    /** Distinct new categories a column keeps (per partition, and merged); past it the report says "at least". */
    public static final int MAX_NEW_VALUES = 10_000;

    private SparkValidator() {
    }

    /**
     * Validates {@code data}, named {@code dataset} in the report. When it was read from files, rows count within their
     * file (Spark's {@code _metadata} gives the file and the split); otherwise within partitions in order.
     */
    public static ValidationReport validate(Dataset<Row> data, Expectations expected, ValidationOptions options,
                                            String dataset) {
        options = options == null ? ValidationOptions.defaults() : options;
        Set<String> names = new HashSet<>(Arrays.asList(data.columns()));
        List<String> present = new ArrayList<>();
        List<String> missingColumns = new ArrayList<>();
        Set<String> needed = new HashSet<>();
        for (Field f : expected.fields()) {
            needed.add(f.name());
            (names.contains(f.name()) ? present : missingColumns).add(f.name());
        }
        List<String> extra = Arrays.stream(data.columns()).filter(n -> !needed.contains(n)).toList();
        List<Column> columns = new ArrayList<>();
        present.forEach(n -> columns.add(data.col(n)));
        boolean fromFiles = readFromFiles(data);
        if (fromFiles) {
            columns.add(functions.col("_metadata.file_path"));
            columns.add(functions.col("_metadata.file_block_start"));
        }
        ValidatePartitions task;
        try {
            task = new ValidatePartitions(expected, options, MAX_NEW_VALUES, present.toArray(String[]::new),
                    fromFiles ? present.size() : -1, fromFiles ? present.size() + 1 : -1);
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "the model's expectations did not write as JSON: " + e.getOriginalMessage());
        }
        List<String> json = data.select(columns.toArray(Column[]::new)).mapPartitions(task, Encoders.STRING()).collectAsList();
        List<ValidatePartitions.SegmentTally> segments = new ArrayList<>(json.size());
        for (String j : json) {
            try {
                segments.add(Json.mapper().readValue(j, ValidatePartitions.SegmentTally.class));
            } catch (JsonProcessingException e) {
                throw new KilnException(ErrorCode.INTERNAL, "a partition's tallies did not read back: " + e.getOriginalMessage());
            }
        }
        return merge(segments, expected, options, dataset, present, missingColumns, extra);
    }

    /**
     * The segments' tallies merged in file and split order, each example's row moved by the rows of the earlier splits
     * of its file. Rows of data not read from files (no file) count across partitions in partition order.
     */
    static ValidationReport merge(List<ValidatePartitions.SegmentTally> segments, Expectations expected,
                                  ValidationOptions options, String dataset, List<String> present,
                                  List<String> missingColumns, List<String> extra) {
        List<ValidatePartitions.SegmentTally> ordered = new ArrayList<>(segments);
        // A stable sort: segments without a file keep their partition order.
        ordered.sort(Comparator.comparing((ValidatePartitions.SegmentTally s) -> s.file() == null ? "" : s.file())
                .thenComparingLong(ValidatePartitions.SegmentTally::start));
        boolean severalFiles = ordered.stream().map(ValidatePartitions.SegmentTally::file).distinct().count() > 1;
        Map<String, Field> fields = new HashMap<>();
        expected.fields().forEach(f -> fields.put(f.name(), f));
        ColumnCheck[] checks = new ColumnCheck[present.size()];
        for (int c = 0; c < checks.length; c++) {
            checks[c] = new ColumnCheck(fields.get(present.get(c)), expected, options, MAX_NEW_VALUES);
        }
        Map<String, Long> rowsBefore = new HashMap<>();
        long rows = 0;
        long clean = 0;
        long warn = 0;
        long fail = 0;
        for (ValidatePartitions.SegmentTally s : ordered) {
            String file = s.file() == null ? "" : s.file();
            long offset = rowsBefore.getOrDefault(file, 0L);
            rowsBefore.put(file, offset + s.rows());
            for (int c = 0; c < checks.length; c++) {
                checks[c].merge(s.columns().get(c).placed(offset, severalFiles ? s.file() : null));
            }
            rows += s.rows();
            clean += s.clean();
            warn += s.warn();
            fail += s.fail();
        }
        if (!missingColumns.isEmpty()) {  // a column the model needs is missing: every row fails
            clean = 0;
            warn = 0;
            fail = rows;
        }
        List<ColumnReport> reports = new ArrayList<>();
        for (Field f : expected.fields()) {
            int c = present.indexOf(f.name());
            reports.add(c < 0 ? ColumnCheck.absent(f, expected, rows) : checks[c].report(f, expected, options, rows));
        }
        ValidationReport report = ValidationReport.of(dataset, null, rows, reports, missingColumns, extra, clean, warn,
                fail, options);
        if (!severalFiles) {
            return report;
        }
        return new ValidationReport(report.dataset(), null, rows, ValidationReport.ROW_NUMBERS_PER_FILE, report.status(),
                report.summary(), missingColumns, extra, reports, options);
    }

    /** Whether {@code data} is a file source's rows as read, whose hidden {@code _metadata} column Spark fills. */
    private static boolean readFromFiles(Dataset<Row> data) {
        try {
            data.select(functions.col("_metadata.file_block_start"));
            return true;
        } catch (Exception e) {  // AnalysisException: no such column (a DataFrame built in memory, a view)
            return false;
        }
    }
}
