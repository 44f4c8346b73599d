package dev.kiln.data.validate;

import dev.kiln.data.BatchSize;
import dev.kiln.data.BatchedReader;
import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.FileHash;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.ReadAhead;
import dev.kiln.data.ReadOptions;
import dev.kiln.data.Sketcher;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.validate.ColumnCheck;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Checks a file or a frame on this machine against a model's {@link Expectations}, by the runtime's rule
 * ({@link ColumnCheck}: every value of a column the model reads in exactly one class: missing, invalid type, new
 * category, out of range, valid). Columns are checked independently, so one bad value never hides the rest of the data.
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
        if (Files.isRegularFile(data) && !Sketcher.fitsInMemory(data)) {
            return validateInBatches(data, expected, options);
        }
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

    /**
     * A file too big to read whole ({@link Sketcher#fitsInMemory}: over a quarter of the heap) read a batch of rows at a
     * time ({@link BatchedReader}), every column as text, so memory stays flat in the rows: each value is checked as the
     * text read checks it, so the counts are those of {@link #validate(Path, Expectations, ValidationOptions)}, and
     * examples show values as written ({@code 1.50} where a typed read shows {@code 1.5}). The file's SHA-256 is taken on
     * another core meanwhile.
     */
    static ValidationReport validateInBatches(Path data, Expectations expected, ValidationOptions options) {
        ValidationOptions opts = options == null ? ValidationOptions.defaults() : options;
        CompletableFuture<String> sha256 = FileHash.meanwhile(data);
        Tally tally = new Tally(expected, opts);
        // The next batch is parsed on another core while this one is checked. About 2^18 cells a batch (12,000 rows of 21
        // columns): a String each, and batches of 2^20 outlived several young collections and were promoted (1M rows x
        // 21 with -Xmx512m: 144 full collections, 10.4 s; 2^18: 94, 6.2 s; 2^16: 89, 5.7 s but 4x the young ones).
        try (ReadAhead batches = new ReadAhead(data, ReadOptions.defaults().withOtherColumns(ColumnType.TEXT),
                BatchSize.cells(1 << 18))) {
            for (DataFrame batch = batches.next(); batch != null; batch = batches.next()) {
                tally.add(batch);
            }
        } catch (RuntimeException e) {
            sha256.cancel(false); // stops the hashing
            throw e;
        } catch (java.io.IOException e) { // only an interrupted wait for the next batch
            sha256.cancel(false); // stops the hashing
            throw new java.io.UncheckedIOException(e);
        }
        return tally.report(FileHash.joined(sha256));
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
        Tally tally = new Tally(expected, options == null ? ValidationOptions.defaults() : options);
        tally.add(frame);
        return tally.report(frame.sha256());
    }

    /**
     * The checks of every column the model reads, over the rows of one frame or of a file's batches in order (rows
     * numbered from the first batch on), and each row's worst issue counted.
     */
    private static final class Tally {
        private final Expectations expected;
        private final ValidationOptions options;
        private final List<Field> fields;
        private final ColumnCheck[] checks;
        private final long[] rowsByState = new long[3]; // CLEAN, WARN, FAIL
        private List<String> names;
        private String source;
        private long rows;

        Tally(Expectations expected, ValidationOptions options) {
            this.expected = expected;
            this.options = options;
            this.fields = expected.fields();
            this.checks = new ColumnCheck[fields.size()];
            for (int f = 0; f < checks.length; f++) {
                checks[f] = new ColumnCheck(fields.get(f), expected, options, Integer.MAX_VALUE);
            }
        }

        void add(DataFrame batch) {
            if (names == null) {
                names = batch.names();
                source = batch.source();
            }
            // Per row: its worst issue, ColumnCheck.CLEAN, WARN or FAIL.
            byte[] rowState = new byte[batch.rowCount()];
            for (int f = 0; f < checks.length; f++) {
                Field field = fields.get(f);
                if (!batch.has(field.name())) {
                    Arrays.fill(rowState, (byte) ColumnCheck.FAIL);
                    continue;
                }
                DataColumn column = batch.column(field.name());
                boolean fromNumbers = checkedFromNumbers(field.type(), column);
                double[] numbers = fromNumbers ? ((NumericColumn) column).values() : null;
                for (int i = 0; i < rowState.length; i++) {
                    // From the number the text would parse to, without making the text: only examples are written out.
                    long row = rows + i + 1;
                    int state = fromNumbers ? checks[f].checkNumber(row, numbers[i]) : checks[f].checkText(row, column.text(i));
                    rowState[i] = (byte) Math.max(rowState[i], state);
                }
            }
            for (byte b : rowState) {
                rowsByState[b]++;
            }
            rows += rowState.length;
        }

        ValidationReport report(String sha256) {
            Set<String> present = new HashSet<>(names);
            Set<String> needed = new HashSet<>();
            List<String> missingColumns = new ArrayList<>();
            List<ColumnReport> columns = new ArrayList<>();
            for (int f = 0; f < checks.length; f++) {
                Field field = fields.get(f);
                needed.add(field.name());
                if (present.contains(field.name())) {
                    columns.add(checks[f].report(field, expected, options, rows));
                } else {
                    missingColumns.add(field.name());
                    columns.add(ColumnCheck.absent(field, expected, rows));
                }
            }
            List<String> extra = names.stream().filter(n -> !needed.contains(n)).toList();
            return ValidationReport.of(source, sha256, rows, columns, missingColumns, extra,
                    rowsByState[ColumnCheck.CLEAN], rowsByState[ColumnCheck.WARN], rowsByState[ColumnCheck.FAIL], options);
        }
    }
}
