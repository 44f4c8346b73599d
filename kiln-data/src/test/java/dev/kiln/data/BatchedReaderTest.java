package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batched read hands over exactly the rows of the whole read, cut in pieces: the same names, types and values, in
 * order, at any batch size and in every format; a value that does not fit names the same file, column and line or row.
 */
class BatchedReaderTest {
    @TempDir
    Path dir;

    /**
     * 5,000 rows: doubles with nulls, integers, booleans, padded text, and a double column with no value in its first
     * 3,000 rows (batches there are typed from their text: DuckDB's typed column cannot tell its type alone).
     */
    private static final String TABLE = "SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.25 - 300 END AS d, "
            + "(i * 37) % 1000 - 500 AS n, i % 3 = 0 AS b, CASE WHEN i % 5 = 0 THEN '  pad ' ELSE 'v' || (i % 11) END AS s, "
            + "CASE WHEN i < 3000 THEN NULL ELSE i / 8.0 END AS late, i AS id FROM range(5000) t(i)";

    /** A predict-like read: the model's columns forced, the others text as written. */
    private static final ReadOptions FORCED = ReadOptions.defaults()
            .withTypes(Map.of("d", ColumnType.NUMERIC, "n", ColumnType.NUMERIC, "b", ColumnType.BOOLEAN,
                    "late", ColumnType.NUMERIC))
            .withOtherColumnsVerbatim();

    @ParameterizedTest
    @ValueSource(strings = {"csv", "parquet", "jsonl"})
    void batchesAreTheWholeReadCutInPieces(String format) throws Exception {
        Path file = write("t", format, TABLE);
        String whole = shown(List.of(DataReader.read(file, FORCED.withoutChecksum())));
        for (int size : new int[] {0, 1, 7, 2048, 2500, 4999, 5000, 100_000}) {
            if (size == 1 && !format.equals("csv")) {
                continue; // DuckDB hands whole chunks (2,048 rows): sizes below that are one chunk a batch
            }
            List<DataFrame> batches = new ArrayList<>();
            long rows = BatchedReader.read(file, FORCED, size == 0 ? BatchSize.cells(1 << 20) : BatchSize.rows(size), batches::add);
            assertThat(rows).isEqualTo(5000);
            assertThat(shown(batches)).as("%s in batches of %d", format, size).isEqualTo(whole);
            if (size > 0 && size < 5000) {
                assertThat(batches).as("batches of %d", size).hasSizeGreaterThan(1);
            }
            assertThat(batches).allSatisfy(b -> assertThat(b.sha256()).isNull());
        }
        // Every column kind is covered, so that the comparison cannot pass on text alone.
        DataFrame first = DataReader.read(file, FORCED);
        assertThat(first.columns().stream().map(DataColumn::type).distinct())
                .contains(ColumnType.NUMERIC, ColumnType.BOOLEAN, ColumnType.TEXT);
        assertThat(first.column("s").value(0)).isEqualTo("  pad ");
    }

    /** Integers stored as numbers but forced to categories: every batch takes the text route, as the whole read does. */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void aForcedTypeTheTypedColumnsCannotGiveIsReadFromText(String format) throws Exception {
        Path file = write("codes", format, "SELECT i % 9 AS code, i * 0.5 AS x FROM range(3000) t(i)");
        ReadOptions options = ReadOptions.defaults().withTypes(Map.of("code", ColumnType.CATEGORICAL))
                .withOtherColumns(ColumnType.NUMERIC);
        List<DataFrame> batches = new ArrayList<>();
        BatchedReader.read(file, options, BatchSize.rows(1000), batches::add);
        assertThat(shown(batches)).isEqualTo(shown(List.of(DataReader.read(file, options.withoutChecksum()))));
        assertThat(batches.get(0).column("code").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(batches.get(0).column("code").value(3)).isEqualTo("3");
    }

    @Test
    void aCsvValueThatDoesNotFitNamesTheLineAsTheWholeReadDoes() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 3000; i++) {
            csv.append(i == 2500 ? "oops" : Integer.toString(i)).append(",a\n");
        }
        Path file = Files.writeString(dir.resolve("bad.csv"), csv);
        ReadOptions options = ReadOptions.defaults().withTypes(Map.of("x", ColumnType.NUMERIC)).withOtherColumnsVerbatim();
        List<DataFrame> before = new ArrayList<>();
        KilnException batched = thrown(() -> BatchedReader.read(file, options, BatchSize.rows(1000), before::add));
        KilnException whole = thrown(() -> DataReader.read(file, options));
        assertThat(batched.getMessage()).isEqualTo(whole.getMessage()).contains("line 2502", "'x'", "oops");
        assertThat(batched.code()).isEqualTo(whole.code());
        assertThat(before).hasSize(2); // the rows before the bad one's batch were handed over

        // Parsed on every core in small chunks, the bad value comes after batches were handed over: the sequential
        // reader then names it exactly as well.
        List<DataFrame> chunked = new ArrayList<>();
        KilnException late = ParallelCsvReaderPropertiesTest.withBlockSize(256,
                () -> thrown(() -> BatchedReader.read(file, options, BatchSize.rows(1000), chunked::add)));
        assertThat(late.getMessage()).isEqualTo(whole.getMessage());
        assertThat(late.code()).isEqualTo(whole.code());
        assertThat(chunked).isNotEmpty();
        assertThat(chunked.stream().mapToInt(DataFrame::rowCount).sum()).isLessThanOrEqualTo(2500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void aDuckDbValueThatDoesNotFitNamesTheRowAsTheWholeReadDoes(String format) throws Exception {
        Path file = write("bad", format,
                "SELECT CASE WHEN i = 4100 THEN 'oops' ELSE CAST(i AS VARCHAR) END AS x FROM range(5000) t(i)");
        ReadOptions options = ReadOptions.defaults().withTypes(Map.of("x", ColumnType.NUMERIC)).withOtherColumnsVerbatim();
        KilnException batched = thrown(() -> BatchedReader.read(file, options, BatchSize.rows(2048), frame -> { }));
        KilnException whole = thrown(() -> DataReader.read(file, options));
        assertThat(batched.getMessage()).isEqualTo(whole.getMessage()).contains("row 4101", "oops");
    }

    @Test
    void aReadThatDoesNotTypeEveryColumnIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("a.csv"), "x\n1\n");
        assertThatThrownBy(() -> BatchedReader.read(file, ReadOptions.defaults(), BatchSize.rows(10), frame -> { }))
                .isInstanceOf(KilnException.class).hasMessageContaining("every column's type");
    }

    @Test
    void emptyAndMissingFilesGiveTheWholeReadsErrors() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "x,y\n");
        Path emptyParquet = Files.write(dir.resolve("empty.parquet"), new byte[0]);
        ReadOptions options = ReadOptions.defaults().withOtherColumnsVerbatim();
        for (Path file : List.of(empty, emptyParquet, dir.resolve("absent.csv"))) {
            KilnException batched = thrown(() -> BatchedReader.read(file, options, BatchSize.rows(10), frame -> { }));
            KilnException whole = thrown(() -> DataReader.read(file, options));
            assertThat(batched.code()).as(file.toString()).isEqualTo(whole.code());
            assertThat(batched.getMessage()).isEqualTo(whole.getMessage());
        }
    }

    @Test
    void batchSizeFollowsTheWidth() {
        assertThat(BatchSize.cells(1 << 20).rowsFor(21)).isEqualTo((1 << 20) / 21);
        assertThat(BatchSize.cells(1 << 20).rowsFor(100_000)).isEqualTo(BatchSize.MIN_ROWS);
        assertThat(BatchSize.rows(7).rowsFor(100_000)).isEqualTo(7);
        assertThatThrownBy(() -> new BatchSize(0, 0)).isInstanceOf(KilnException.class);
        assertThatThrownBy(() -> BatchSize.rows(-1)).isInstanceOf(KilnException.class);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /**
     * Random CSV files (the parallel reader's generator: quoting, delimiters, blank lines, missing tokens, number forms,
     * injected errors) read with every column typed: batches of random size give the whole read's frame, or fail where it
     * fails; with one batch for the whole file, with the very same error.
     */
    @Property(tries = 300)
    void randomCsvFilesReadInBatchesAsWhole(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        ParallelCsvReaderPropertiesTest.GeneratedFile generated = ParallelCsvReaderPropertiesTest.generate(random);
        ColumnType[] types = ColumnType.values();
        ReadOptions options = generated.options().withOtherColumns(types[random.nextInt(types.length)]);
        if (random.nextBoolean()) {
            options = options.withTypes(Map.of()).withOtherColumnsVerbatim();
        }
        Path file = Files.createTempFile("kiln-batched", generated.extension()); // jqwik runs no @TempDir
        try {
            Files.write(file, generated.bytes());
            ReadOptions o = options;
            Object whole = ParallelCsvReaderPropertiesTest.frameOutcome(() -> DataReader.read(file, o.withoutChecksum()));
            int size = 1 + random.nextInt(40);
            // CSV is parsed on every core a chunk at a time: tiny blocks put chunk boundaries everywhere.
            Object batched = ParallelCsvReaderPropertiesTest.withBlockSize(1 + random.nextInt(64),
                    () -> batchedOutcome(file, o, size));
            Object oneBatch = batchedOutcome(file, options, Integer.MAX_VALUE);
            Statistics.label("outcome").collect(whole instanceof DataFrame ? "frame" : "error");
            Statistics.label("outcome").coverage(checker -> checker.check("frame").percentage(p -> p > 15));
            if (whole instanceof DataFrame frame) {
                assertThat(batched).isEqualTo(shown(List.of(frame)));
                assertThat(oneBatch).isEqualTo(shown(List.of(frame)));
            } else {
                // Small batches fail too, maybe on another of the file's problems (a value in an early batch that does
                // not fit, before bad bytes further on that the whole read met first); one batch fails exactly alike.
                assertThat(batched).isInstanceOf(ParallelCsvReaderPropertiesTest.Failure.class);
                assertThat(oneBatch).isEqualTo(whole);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Object batchedOutcome(Path file, ReadOptions options, int size) {
        List<DataFrame> batches = new ArrayList<>();
        Object outcome = ParallelCsvReaderPropertiesTest.frameOutcome(() -> {
            BatchedReader.read(file, options, BatchSize.rows(size), batches::add);
            return null;
        });
        return outcome == null ? shown(batches) : outcome;
    }

    /** The frames' names and types (equal in every batch) and their rows in order, as text that compares exactly. */
    private static String shown(List<DataFrame> frames) {
        StringBuilder out = new StringBuilder();
        DataFrame first = frames.get(0);
        for (DataColumn c : first.columns()) {
            out.append(c.name()).append(':').append(c.type()).append(' ');
        }
        out.append('\n');
        for (DataFrame frame : frames) {
            assertThat(frame.names()).isEqualTo(first.names());
            for (int c = 0; c < first.columns().size(); c++) {
                assertThat(frame.columns().get(c).type()).isEqualTo(first.columns().get(c).type());
            }
            for (int i = 0; i < frame.rowCount(); i++) {
                for (DataColumn c : frame.columns()) {
                    Object v = c.value(i);
                    out.append(v instanceof Double d ? Double.doubleToRawLongBits(d) + "d" : String.valueOf(v)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static KilnException thrown(Runnable read) {
        try {
            read.run();
        } catch (KilnException e) {
            return e;
        }
        throw new AssertionError("expected a KilnException");
    }

    private Path write(String name, String format, String table) throws Exception {
        Path file = dir.resolve(name + "." + format);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            String to = switch (format) {
                case "parquet" -> "(FORMAT PARQUET)";
                case "jsonl" -> "(FORMAT JSON)";
                default -> "(FORMAT CSV, HEADER)";
            };
            s.execute("COPY (" + table + ") TO '" + file + "' " + to);
        }
        return file;
    }
}
