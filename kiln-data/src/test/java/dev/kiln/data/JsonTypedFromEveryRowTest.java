package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON is typed from every row, as CSV is. DuckDB's default typed it from its first 20,480 rows and then dropped,
 * rounded or refused what came after: each file here has 25,000 rows of one kind and then one of another.
 */
class JsonTypedFromEveryRowTest {
    private static final int SAMPLE = 25_000; // past DuckDB's default sample of 20,480 rows

    @TempDir
    Path dir;

    @Test
    void aValueAfterASampleOfNullsIsKept() throws IOException {
        DataFrame frame = DataReader.read(write("nulls.jsonl", i -> "{\"a\":null,\"b\":" + i + "}", "{\"a\":5,\"b\":1}"));
        NumericColumn a = (NumericColumn) frame.column("a");
        assertThat(a.type()).isEqualTo(ColumnType.INTEGER);
        assertThat(a.values()[SAMPLE]).isEqualTo(5.0); // was dropped: the whole column missing
        assertThat(a.isMissing(0)).isTrue();
    }

    @Test
    void aFractionAfterIntegersIsNotRounded() throws IOException {
        DataFrame frame = DataReader.read(write("fraction.jsonl", i -> "{\"a\":" + i + "}", "{\"a\":1.5}"));
        NumericColumn a = (NumericColumn) frame.column("a");
        assertThat(a.type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(a.values()[SAMPLE]).isEqualTo(1.5); // was 2.0
        assertThat(a.values()[SAMPLE - 1]).isEqualTo(SAMPLE - 1.0);
    }

    @Test
    void aKeyFirstSeenLateIsAColumn() throws IOException {
        DataFrame frame = DataReader.read(write("late.jsonl", i -> "{\"a\":" + i + "}", "{\"a\":2,\"b\":3}"));
        assertThat(frame.names()).containsExactly("a", "b"); // was an error: unknown key "b"
        assertThat(((NumericColumn) frame.column("b")).values()[SAMPLE]).isEqualTo(3.0);
    }

    @Test
    void aStringAfterNumbersBooleansOrDatesMakesTheColumnText() throws IOException {
        for (String[] kinds : new String[][] {{"1", "\"x\""}, {"true", "\"maybe\""}, {"\"2024-01-02\"", "\"hello\""}}) {
            DataFrame frame = DataReader.read(write("mixed.jsonl", i -> "{\"a\":" + kinds[0] + "}",
                    "{\"a\":" + kinds[1] + "}")); // each was an error: failed to cast
            DataColumn a = frame.column("a");
            assertThat(a).as(kinds[1]).isInstanceOf(StringColumn.class);
            assertThat(a.type()).as(kinds[1]).isEqualTo(ColumnType.CATEGORICAL);
            assertThat(frame.rowCount()).isEqualTo(SAMPLE + 1);
        }
    }

    @Test
    void aProfileSeesTheLateValuesToo() throws IOException {
        Path file = write("profile.jsonl", i -> "{\"a\":" + i + "}", "{\"a\":1.5}");
        var column = Profiler.profile(file).columns().get(0);
        assertThat(column.type()).isEqualTo("numeric");
        assertThat(column.mean()).isEqualTo(Profiler.mean(((NumericColumn) DataReader.read(file).column("a")).values(),
                SAMPLE + 1));
    }

    private Path write(String name, IntFunction<String> row, String last) throws IOException {
        String text = IntStream.range(0, SAMPLE).mapToObj(row).collect(Collectors.joining("\n")) + "\n" + last + "\n";
        return Files.writeString(dir.resolve(name), text);
    }
}
