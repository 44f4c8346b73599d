package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.csv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaInferenceTest {
    private static ColumnType infer(String... values) {
        return SchemaInference.inferType(Arrays.asList(values));
    }

    @Test
    void typesInPriorityOrder() {
        assertThat(infer("true", "False", "yes", "NO", null)).isEqualTo(ColumnType.BOOLEAN);
        assertThat(infer("1", "0", "1")).isEqualTo(ColumnType.INTEGER);
        assertThat(infer("1", "-20", "+3", "NA")).isEqualTo(ColumnType.INTEGER);
        assertThat(infer("1", "2.5", "1e3", ".5")).isEqualTo(ColumnType.NUMERIC);
        assertThat(infer("2014-03-01", "2014-03-02T10:15:00Z", "2014/03/03")).isEqualTo(ColumnType.DATETIME);
        assertThat(infer("a", "b", "1")).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(infer("yes", "no", "1")).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(infer("2014-03-01", "7")).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(infer("NA", "", "?", null)).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void textNeedsDistinctLongValuesWithSpaces() {
        List<String> reviews = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            reviews.add("This product number " + i + " was really quite good, would buy again");
            hashes.add(String.format("%040x", i * 7919L + 123456789L));
            repeated.add("The same long sentence that repeats over and over " + (i % 3));
        }
        assertThat(SchemaInference.inferType(reviews)).isEqualTo(ColumnType.TEXT);
        assertThat(SchemaInference.inferType(hashes)).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(SchemaInference.inferType(repeated)).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void allMissingColumnIsKeptAsCategorical() {
        DataFrame df = csv("a,b\n1,NA\n2,\n3,?\n");
        assertThat(df.column("b").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("b").missingCount()).isEqualTo(3);
    }

    @Test
    void convertsValuesToInternalForm() {
        DataFrame df = csv("flag,when,name\nyes,2014-03-01,\"  padded \"\nno,2014-03-02 12:30,x\n");
        assertThat(df.column("flag").value(0)).isEqualTo(1.0);
        assertThat(df.column("flag").value(1)).isEqualTo(0.0);
        assertThat(df.column("when").value(0)).isEqualTo(1393632000000.0);
        assertThat(df.column("when").value(1)).isEqualTo(1393632000000.0 + 86_400_000 + 45_000_000);
        assertThat(df.column("name").value(0)).isEqualTo("padded"); // trimmed, as scoring does
    }

    @Test
    void forcedTypes() {
        String text = "zip,code,amount\n02134,1,5\n10001,2,6\n";
        DataFrame df = DataReader.readCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv",
                ReadOptions.defaults().withTypes(Map.of("zip", ColumnType.CATEGORICAL, "amount", ColumnType.NUMERIC)));
        assertThat(df.column("zip").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("zip").value(0)).isEqualTo("02134");
        assertThat(df.column("amount").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.column("code").type()).isEqualTo(ColumnType.INTEGER);
    }

    @Test
    void forcedTypeThatDoesNotFitNamesLineColumnAndValue() {
        String text = "a,b\n1,2\n\"x\ny\",3\n4,5.5\n";
        ReadOptions forceInt = ReadOptions.defaults().withTypes(Map.of("b", ColumnType.INTEGER));
        assertKiln(() -> DataReader.readCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv",
                forceInt), ErrorCode.DATA_MALFORMED)
                .hasMessage("t.csv line 5, column 'b': value '5.5' is not an integer (the column's type is set to integer)");
        ReadOptions forceBool = ReadOptions.defaults().withTypes(Map.of("a", ColumnType.BOOLEAN));
        assertKiln(() -> DataReader.readCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv",
                forceBool), ErrorCode.DATA_MALFORMED)
                .hasMessageContaining("t.csv line 3, column 'a'");
    }

    @Test
    void forcedTypeForUnknownColumn() {
        ReadOptions options = ReadOptions.defaults().withTypes(Map.of("nope", ColumnType.NUMERIC));
        assertKiln(() -> DataReader.readCsv(new ByteArrayInputStream("a\n1\n".getBytes(StandardCharsets.UTF_8)), "t.csv",
                options), ErrorCode.COLUMN_MISSING).hasMessageContaining("'nope'").hasMessageContaining("available columns: a");
    }

    @Test
    void columnFromValues() {
        DataColumn c = SchemaInference.column("x", Arrays.asList("1.5", null, "2"), null);
        assertThat(c).isInstanceOf(NumericColumn.class);
        assertThat(c.type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(c.isMissing(1)).isTrue();
        assertKiln(() -> SchemaInference.column("x", List.of("1", "b"), ColumnType.NUMERIC), ErrorCode.DATA_MALFORMED)
                .hasMessageContaining("row 2, column 'x': value 'b' is not a number");
    }
}
