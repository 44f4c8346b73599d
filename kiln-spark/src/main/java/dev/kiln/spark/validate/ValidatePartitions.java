package dev.kiln.spark.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import dev.kiln.runtime.validate.ColumnCheck;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.spark.SparkValues;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * The task Spark runs on each partition of {@code kiln spark validate}: every value of the columns the model reads
 * checked by the runtime's rule ({@link ColumnCheck}), tallied per segment (the rows of one file split: a partition
 * may hold several small files), and each segment's tallies returned as one JSON string: counts per column and kind of
 * issue, the first examples with their row in the segment, the distinct new categories up to a bound. Never
 * Java-serialized Kiln objects: this function carries the expectations as JSON text and a few names and numbers.
 */
final class ValidatePartitions implements MapPartitionsFunction<Row, String> {
    private static final long serialVersionUID = 1L;

    private final String expectations;
    private final double missingRateJump;
    private final int maxExamples;
    private final int maxNewValues;
    /** The fields (by name) the data has, in the order of the row's first columns. */
    private final String[] fields;
    /** Positions of the file path and the split's start in the row, or -1 when the data is not read from files. */
    private final int filePosition;
    private final int startPosition;

    ValidatePartitions(Expectations expected, ValidationOptions options, int maxNewValues, String[] fields,
                       int filePosition, int startPosition) throws JsonProcessingException {
        this.expectations = Json.mapper().writeValueAsString(expected);
        this.missingRateJump = options.missingRateJump();
        this.maxExamples = options.maxExamples();
        this.maxNewValues = maxNewValues;
        this.fields = fields.clone();
        this.filePosition = filePosition;
        this.startPosition = startPosition;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws JsonProcessingException {
        Expectations expected = Json.mapper().readValue(expectations, Expectations.class);
        ValidationOptions options = new ValidationOptions(missingRateJump, maxExamples);
        List<Field> checked = new ArrayList<>(fields.length);
        for (String name : fields) {
            checked.add(expected.fields().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow());
        }
        List<String> out = new ArrayList<>();
        Segment segment = null;
        while (rows.hasNext()) {
            Row row = rows.next();
            String file = filePosition < 0 ? null : row.getString(filePosition);
            long start = startPosition < 0 ? 0 : row.getLong(startPosition);
            if (segment == null || !Objects.equals(segment.file, file) || segment.start != start) {
                if (segment != null) {
                    out.add(segment.json());
                }
                segment = new Segment(file, start, checked, expected, options, maxNewValues);
            }
            segment.add(row);
        }
        if (segment != null) {
            out.add(segment.json());
        }
        return out.iterator();
    }

    /** The rows of one file split so far, and their checks. */
    private static final class Segment {
        final String file;
        final long start;
        final List<Field> fields;
        final ColumnCheck[] checks;
        long rows;
        long clean;
        long warn;
        long fail;

        Segment(String file, long start, List<Field> fields, Expectations expected, ValidationOptions options, int maxNewValues) {
            this.file = file;
            this.start = start;
            this.fields = fields;
            this.checks = new ColumnCheck[fields.size()];
            for (int c = 0; c < checks.length; c++) {
                checks[c] = new ColumnCheck(fields.get(c), expected, options, maxNewValues);
            }
        }

        void add(Row row) {
            long at = ++rows;
            int worst = ColumnCheck.CLEAN;
            for (int c = 0; c < checks.length; c++) {
                worst = Math.max(worst, check(checks[c], fields.get(c).type(), at, row.get(c)));
            }
            switch (worst) {
                case ColumnCheck.CLEAN -> clean++;
                case ColumnCheck.WARN -> warn++;
                default -> fail++;
            }
        }

        String json() throws JsonProcessingException {
            List<ColumnCheck.Tally> tallies = new ArrayList<>(checks.length);
            for (ColumnCheck check : checks) {
                tallies.add(check.tally());
            }
            return Json.mapper().writeValueAsString(new SegmentTally(file, start, rows, clean, warn, fail, tallies));
        }
    }

    /**
     * One value as {@code kiln data validate} checks it: a number in a numeric or integer column from the number (the
     * class its text gets, its example in canonical form), anything else from its text (Spark's CSV values are text
     * already; typed Parquet and JSON values as the text Kiln's readers would give them).
     */
    static int check(ColumnCheck check, ColumnType type, long row, Object value) {
        if (value == null) {
            return check.checkText(row, null);
        }
        boolean numeric = type == ColumnType.NUMERIC || type == ColumnType.INTEGER;
        if (numeric && (value instanceof Double || value instanceof Float || value instanceof Long
                || value instanceof Integer || value instanceof Short || value instanceof Byte)) {
            double d = value instanceof Float f ? Double.parseDouble(f.toString()) : ((Number) value).doubleValue();
            if (!Double.isInfinite(d)) {  // "Infinity" is no number to Kiln: checked as text, it is invalid
                return check.checkNumber(row, d);
            }
        }
        String text = SparkValues.text(value);
        if (numeric && !Values.isMissingToken(text)) {
            double d = Values.parseAs(type, text.trim());
            if (!Double.isNaN(d) && (type == ColumnType.NUMERIC || d == Math.rint(d))) {
                return check.checkNumber(row, d);  // same class as from the text; the example as one machine shows it
            }
        }
        return check.checkText(row, text);
    }

    /** What one segment ships to the driver: where it is (file, split start), its rows by worst issue, one tally per column. */
    record SegmentTally(String file, long start, long rows, long clean, long warn, long fail, List<ColumnCheck.Tally> columns) {
    }
}
