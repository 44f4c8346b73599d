package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edges of {@link JsonLinesReader}: DuckDB's sample, what it declines, and that a plain file is read here. */
class JsonLinesReaderTest {
    @TempDir
    Path dir;

    /** What the route it replaces gives: DuckDB parsing, fetched through JDBC. */
    private static List<DataColumn> duckDb(Path file) {
        return DuckDbReader.readTypedByJdbc(file, DuckDbReader.Format.JSON_LINES, ReadOptions.defaults(), Set.of());
    }

    @Test
    void aFileAsWritersWriteItIsReadHereWithDuckDbsColumns() throws IOException {
        String lines = IntStream.range(0, 3000).mapToObj(i -> "{\"x0\":" + (i * 0.37 - 500) + ",\"n\":" + (i % 17 - 8)
                + ",\"flag\":" + (i % 3 == 0) + ",\"label\":\"" + (i % 2 == 0 ? "yes" : "no") + "\",\"city\":"
                + (i % 10 == 0 ? "null" : "\"Zürich\"") + "}").collect(Collectors.joining("\n", "", "\n"));
        Path file = write("writers.jsonl", lines);
        List<DataColumn> here = JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of());
        assertThat(here).isNotNull().isEqualTo(duckDb(file));
        assertThat(here.stream().map(DataColumn::type).toList()).containsExactly(ColumnType.NUMERIC, ColumnType.INTEGER,
                ColumnType.BOOLEAN, ColumnType.BOOLEAN, ColumnType.CATEGORICAL);
        assertThat(DataReader.read(file).columns()).isEqualTo(here);
        // The label keeps its words.
        ReadOptions labelled = ReadOptions.labelled("label");
        assertThat(JsonLinesReader.readTyped(file, labelled, Set.of())).isEqualTo(
                DuckDbReader.readTypedByJdbc(file, DuckDbReader.Format.JSON_LINES, labelled, Set.of()));
    }

    /**
     * A .json file is JSON lines, one array of objects or objects over several lines, as DuckDB detects: lines of the
     * plain shape are read here, with the columns DuckDB gives the .json file; the other two are left to DuckDB.
     */
    @Test
    void aJsonFileOfLinesIsReadHereAndAnArrayIsLeftToDuckDb() throws IOException {
        String lines = IntStream.range(0, 500).mapToObj(i -> "{\"x\":" + (i * 0.5) + ",\"n\":" + i + ",\"c\":\""
                + (i % 3 == 0 ? "red" : "green") + "\"}").collect(Collectors.joining("\n", "", "\n"));
        Path file = write("lines.json", lines);
        List<DataColumn> here = JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of());
        assertThat(here).isNotNull().hasSize(3)
                .isEqualTo(DuckDbReader.readTypedByJdbc(file, DuckDbReader.Format.JSON, ReadOptions.defaults(), Set.of()));
        assertThat(DataReader.read(file).columns()).isEqualTo(here);

        Path array = write("array.json", "[" + lines.strip().replace("\n", ",\n") + "]\n");
        Path pretty = write("pretty.json", lines.replace(",", ",\n  "));
        for (Path other : List.of(array, pretty)) {
            assertThat(JsonLinesReader.readTyped(other, ReadOptions.defaults(), Set.of())).as(other.toString()).isNull();
            assertThat(DataReader.read(other).columns()).as(other.toString()).isEqualTo(here);
        }
    }

    /**
     * Objects of 200 keys or more of one type are a column per key, as narrower ones: DuckDB's default would read them
     * as one MAP column (which Kiln typed as one text column of whole objects), and Kiln turns that off.
     */
    @Test
    void wideObjectsAreAColumnPerKey() throws IOException {
        String lines = IntStream.range(0, 50).mapToObj(r -> IntStream.range(0, 250).mapToObj(c -> "\"c" + c + "\":" + (r * c))
                .collect(Collectors.joining(",", "{", "}"))).collect(Collectors.joining("\n"));
        Path file = write("wide.jsonl", lines);
        List<DataColumn> duckDb = duckDb(file);
        assertThat(duckDb).hasSize(250);
        assertThat(duckDb.get(249).name()).isEqualTo("c249");
        assertThat(duckDb.get(249).type()).isEqualTo(ColumnType.INTEGER);
        assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).isNotNull().isEqualTo(duckDb);
        assertThat(DataReader.read(file).columns()).isEqualTo(duckDb);
    }

    /**
     * This types a column from its first 20,480 rows: a fraction on the last of them makes the column DOUBLE, read
     * here; one row later the file is left to DuckDB, which types from every row and keeps the fraction (its default
     * sample of 20,480 rows had typed the column BIGINT and rounded 1.5 to 2).
     */
    @Test
    void theSampleDecidesBetweenIntegersAndDoublesAndALaterFractionIsLeftToDuckDb() throws IOException {
        Path inSample = write("in.jsonl", integersThen(JsonLinesReader.SAMPLE_ROWS - 1, "1.5"));
        List<DataColumn> here = JsonLinesReader.readTyped(inSample, ReadOptions.defaults(), Set.of());
        assertThat(here).isNotNull().isEqualTo(duckDb(inSample));
        assertThat(here.get(0).type()).isEqualTo(ColumnType.NUMERIC);

        Path after = write("after.jsonl", integersThen(JsonLinesReader.SAMPLE_ROWS, "1.5"));
        assertThat(JsonLinesReader.readTyped(after, ReadOptions.defaults(), Set.of())).isNull();
        DataColumn read = DataReader.read(after).columns().get(0);
        assertThat(read.type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(read.value(JsonLinesReader.SAMPLE_ROWS)).isEqualTo(1.5);
    }

    /**
     * Blank lines (empty, spaces, tabs, a CR) are skipped here as DuckDB skips them, the first line included, so such a
     * file is not left to DuckDB, which types a file from every row (slowly).
     */
    @Test
    void blankLinesAreSkippedAsDuckDbSkipsThem() throws IOException {
        Path file = write("blank.jsonl", "{\"a\":1,\"b\":\"x\"}\n\n  \n{\"a\":2.5,\"b\":\"y\"}\r\n\t\r\n{\"a\":3,\"b\":null}\n\n");
        List<DataColumn> here = JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of());
        assertThat(here).isNotNull().isEqualTo(duckDb(file));
        assertThat(here.get(0).size()).isEqualTo(3);
        assertThat(Profiler.profile(file)).usingRecursiveComparison().isEqualTo(Profiler.profile(DataReader.read(file)));

        Path first = write("first.jsonl", "\n \r\n{\"a\":1}\n{\"a\":2}\n");
        int block = JsonLinesReader.blockSize;
        try {
            for (int size : new int[] {1, 3, 1 << 20}) { // blocks of blank lines only, then the first object
                JsonLinesReader.blockSize = size;
                assertThat(JsonLinesReader.readTyped(first, ReadOptions.defaults(), Set.of())).as("block %d", size)
                        .isNotNull().isEqualTo(duckDb(first));
            }
        } finally {
            JsonLinesReader.blockSize = block;
        }
        assertThat(DataReader.read(first).rowCount()).isEqualTo(2);
        assertThat(JsonLinesReader.readTyped(write("blanks.jsonl", "\n  \n\n"), ReadOptions.defaults(), Set.of()))
                .isNull();
    }

    /**
     * An event log's lines: later lines give the first line's keys in another order, leave some out (null, as DuckDB
     * reads them) or add keys (a column each, after the first line's, in the order they first appear, as DuckDB orders
     * them), with white space anywhere; read here, with DuckDB's columns. A key twice on a line (DuckDB's error) or two
     * keys equal but for case (DuckDB renames one) are left to DuckDB.
     */
    @Test
    void laterLinesMayReorderOrLeaveOutTheFirstLinesKeys() throws IOException {
        Path file = write("events.jsonl", """
                {"user":"ann","amount":12.5,"ok":true,"n":3}
                {"amount":7.25,"user":"bob"}
                {"n":4, "ok":false , "user":"cy","amount":1}
                {}
                { "user" : "dee" }
                {"user":"eve","amount":null,"n":5}
                {"user":"fay","amount":2.5,"ok":true,"n":6}
                """);
        List<DataColumn> here = JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of());
        assertThat(here).isNotNull().isEqualTo(duckDb(file));
        assertThat(here.stream().map(DataColumn::name).toList()).containsExactly("user", "amount", "ok", "n");
        assertThat(here.get(0).size()).isEqualTo(7);
        assertThat(here.get(1).value(1)).isEqualTo(7.25);
        assertThat(here.get(3).isMissing(1)).isTrue(); // n left out of the second line
        assertThat(here.get(3).isMissing(2)).isFalse();
        assertThat(here.get(2).isMissing(3)).isTrue(); // {}: every key left out
        assertThat(Profiler.profile(file)).usingRecursiveComparison().isEqualTo(Profiler.profile(DataReader.read(file)));

        Path added = write("added.jsonl", """
                {"user":"ann","amount":12.5}
                {"amount":7.25,"error":"timeout","user":"bob"}
                {"retries":2,"user":"cy","error":null}
                {"user":"dee","amount":1,"retries":0}
                """);
        int block = JsonLinesReader.blockSize;
        try {
            for (int size : new int[] {1, 40, 1 << 20}) { // the added keys first met in different chunks
                JsonLinesReader.blockSize = size;
                List<DataColumn> read = JsonLinesReader.readTyped(added, ReadOptions.defaults(), Set.of());
                assertThat(read).as("block %d", size).isNotNull().isEqualTo(duckDb(added));
                assertThat(read.stream().map(DataColumn::name).toList())
                        .containsExactly("user", "amount", "error", "retries");
            }
        } finally {
            JsonLinesReader.blockSize = block;
        }
        assertThat(Profiler.profile(added)).usingRecursiveComparison()
                .isEqualTo(Profiler.profile(DataReader.read(added)));

        for (String text : List.of("{\"a\":1,\"b\":2}\n{\"b\":3,\"b\":4}\n", "{\"a\":1,\"b\":2}\n{\"b\":3,\"a\":4,\"a\":5}\n",
                "{\"a\":1,\"b\":2}\n{\"B\":3}\n", "{\"a\":1}\n{\"c\":1}\n{\"C\":2}\n", "{\"a\":1}\n{\"c\":1,\"c\":2}\n")) {
            Path declined = write("declined.jsonl", text);
            assertThat(JsonLinesReader.readTyped(declined, ReadOptions.defaults(), Set.of())).as(text).isNull();
        }
        Path twice = write("twice.jsonl", "{\"a\":1,\"b\":2}\n{\"b\":3,\"b\":4}\n");
        assertThatThrownBy(() -> DataReader.read(twice)).isInstanceOf(KilnException.class)
                .hasMessageContaining(twice.toString());
    }

    @Test
    void aColumnWithNoValueInTheSampleIsLeftToDuckDb() throws IOException {
        String lines = IntStream.range(0, JsonLinesReader.SAMPLE_ROWS + 5)
                .mapToObj(i -> "{\"a\":" + i + ",\"b\":" + (i < JsonLinesReader.SAMPLE_ROWS ? "null" : "2.5") + "}")
                .collect(Collectors.joining("\n"));
        Path file = write("late.jsonl", lines);
        assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).isNull();
        assertThat(DataReader.read(file).columns()).isEqualTo(duckDb(file));
    }

    /**
     * A key first given after the chunks that hold DuckDB's sample comes too late for the columns already typed: the
     * file is left to DuckDB, which gives it its column.
     */
    @Test
    void aKeyFirstGivenAfterTheSampleIsLeftToDuckDb() throws IOException {
        String lines = IntStream.range(0, JsonLinesReader.SAMPLE_ROWS + 100)
                .mapToObj(i -> i == JsonLinesReader.SAMPLE_ROWS + 50 ? "{\"a\":" + i + ",\"late\":\"x\"}" : "{\"a\":" + i + "}")
                .collect(Collectors.joining("\n"));
        Path file = write("late-key.jsonl", lines);
        int block = JsonLinesReader.blockSize;
        try {
            JsonLinesReader.blockSize = 4096;
            assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).isNull();
        } finally {
            JsonLinesReader.blockSize = block;
        }
        List<DataColumn> read = DataReader.read(file).columns();
        assertThat(read).isEqualTo(duckDb(file));
        assertThat(read.get(1).name()).isEqualTo("late");
    }

    /** DuckDB detects dates, times and UUIDs in strings; a column that may hold only those is left to it. */
    @Test
    void stringsThatMayBeDatesAreLeftToDuckDb() throws IOException {
        Path dates = write("dates.jsonl", "{\"d\":\"2024-01-02\"}\n{\"d\":\"2024-01-03\"}\n");
        assertThat(JsonLinesReader.readTyped(dates, ReadOptions.defaults(), Set.of())).isNull();
        Path uuids = write("uuids.jsonl", "{\"u\":\"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\"}\n");
        assertThat(JsonLinesReader.readTyped(uuids, ReadOptions.defaults(), Set.of())).isNull();
        assertThat(DataReader.read(uuids).columns().get(0).value(0)).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        Path mixed = write("mixed.jsonl", "{\"d\":\"2024-01-02\"}\n{\"d\":\"unknown\"}\n");
        assertThat(JsonLinesReader.readTyped(mixed, ReadOptions.defaults(), Set.of())).isNotNull()
                .isEqualTo(duckDb(mixed));
    }

    @Test
    void whatIsNotThePlainShapeIsLeftToDuckDbWhichWordsTheError() throws IOException {
        List<String> declined = List.of(
                "{\"a\":{\"b\":1}}\n", "{\"a\":[1,2]}\n", "{\"a\":1,\"A\":2}\n",
                "{\"a\":1}\n{\"a\":\"x\"}\n", "{\"a\":01}\n", "{\"a\":1e400}\n", "{\"a\":12345678901234567}\n",
                "[{\"a\":1}]\n", "\uFEFF{\"a\":1}\n", "{}\n", "{\"a\":1}{\"a\":2}\n", "{\"a\":\"\\x\"}\n");
        for (String text : declined) {
            Path file = write("declined.jsonl", text);
            assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).as(text).isNull();
        }
        Path broken = write("broken.jsonl", "{\"a\":1}\n{\"a\":2\n{\"a\":3}\n");
        assertThat(JsonLinesReader.readTyped(broken, ReadOptions.defaults(), Set.of())).isNull();
        assertThatThrownBy(() -> DataReader.read(broken)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.DATA_MALFORMED))
                .hasMessageContaining(broken.toString()).hasMessageContaining("JSON lines");
    }

    /** DuckDB refuses objects over 16 MiB; lines longer than a block past {@link JsonLinesReader#MAX_LINE} are left to it. */
    @Test
    void aVeryLongLineIsLeftToDuckDb() throws IOException {
        Path file = write("long.jsonl", "{\"t\":\"" + "w".repeat(JsonLinesReader.MAX_LINE + JsonLinesReader.blockSize) + "\"}\n{\"t\":\"x\"}\n");
        assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).isNull();
        assertThat(DataReader.read(file).columns().get(0).value(1)).isEqualTo("x");
    }

    /** Lines longer than a block, and blocks that end anywhere in a line, give the same columns. */
    @Test
    void blocksEndAnywhere() throws IOException {
        String lines = IntStream.range(0, 200).mapToObj(i -> "{\"t\":\"" + "w".repeat(i % 50) + " é\",\"v\":" + i * 1.25
                + "}").collect(Collectors.joining("\r\n"));
        Path file = write("blocks.jsonl", lines);
        List<DataColumn> expected = duckDb(file);
        int block = JsonLinesReader.blockSize;
        try {
            for (int size : new int[] {1, 7, 31, 64, 1000, 1 << 20}) {
                JsonLinesReader.blockSize = size;
                assertThat(JsonLinesReader.readTyped(file, ReadOptions.defaults(), Set.of())).as("block %d", size)
                        .isEqualTo(expected);
            }
        } finally {
            JsonLinesReader.blockSize = block;
        }
    }

    private static String integersThen(int integers, String value) {
        return IntStream.range(0, integers).mapToObj(i -> "{\"a\":" + i + "}").collect(Collectors.joining("\n", "", "\n"))
                + "{\"a\":" + value + "}\n{\"a\":7}\n";
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
