package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A column that keeps its distinct values ({@link RawColumn#keepingLevels}) is typed, parsed and checked once per
 * distinct value: every result must be what the same values stored as chars give a row at a time, the same type and
 * values, or the same error at the same row.
 */
class RawColumnLevelsPropertiesTest {
    private static final List<ColumnType> TYPES = List.of(ColumnType.NUMERIC, ColumnType.INTEGER, ColumnType.BOOLEAN,
            ColumnType.DATETIME, ColumnType.CATEGORICAL, ColumnType.TEXT);

    @Provide
    Arbitrary<List<String>> columns() {
        Arbitrary<String> value = Arbitraries.of("1", "2", "-3", " 4 ", "2.5", "1e5", "0.1", "007", "yes", "No", "TRUE",
                "false", "2014-03-01", "2014-03-01T12:00:00Z", "", " ", "NA", "null", "?", "n/a", "a", " a", "b c",
                "the quick brown fox jumps over the lazy dog again", "x y z w v u t s r q p o n m l k j i h g f e", "=1+1");
        // A few distinct values a column, so that every type, and every mix of them, comes up.
        return value.list().ofMinSize(1).ofMaxSize(6).flatMap(vocabulary ->
                Arbitraries.of(vocabulary).injectNull(0.05).list().ofMinSize(0).ofMaxSize(60));
    }

    @Property(tries = 1500)
    void levelsGiveTheInferredColumnOfChars(@ForAll("columns") List<String> values) {
        for (ReadOptions options : List.of(ReadOptions.defaults(), ReadOptions.labelled("c"))) {
            assertSame(() -> SchemaInference.inferred("c", chars(values), "f", options),
                    () -> SchemaInference.inferred("c", levels(values), "f", options));
        }
    }

    @Property(tries = 1500)
    void levelsGiveTheConvertedColumnOfCharsOrItsError(@ForAll("columns") List<String> values) {
        for (ColumnType type : TYPES) {
            ReadOptions options = ReadOptions.defaults().withOtherColumns(type);
            assertSame(() -> SchemaInference.asOtherColumn("c", chars(values), "f", options),
                    () -> SchemaInference.asOtherColumn("c", levels(values), "f", options));
        }
        ReadOptions verbatim = ReadOptions.defaults().withOtherColumnsVerbatim();
        assertSame(() -> SchemaInference.asOtherColumn("c", chars(values), "f", verbatim),
                () -> SchemaInference.asOtherColumn("c", levels(values), "f", verbatim));
    }

    @Property(tries = 300)
    void aRawTableOfLevelsReadsAsOneOfChars(@ForAll("columns") List<String> values) {
        // The route DuckDbBatches takes: the typed columns' text in a RawTable, typed by SchemaInference.columns.
        for (ReadOptions options : List.of(ReadOptions.defaults(), ReadOptions.defaults().withTypes(Map.of("c", ColumnType.INTEGER)))) {
            assertSame(() -> SchemaInference.columns(table(chars(values)), options).get(0),
                    () -> SchemaInference.columns(table(levels(values)), options).get(0));
        }
    }

    @Test
    void pastTheMostLevelsTheColumnTurnsIntoCharsAndKeepsEveryValue() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 2 * RawColumn.MAX_LEVELS; i++) {
            values.add(i % 3 == 0 ? "v" + (i % 7) : "x" + i); // two thirds distinct: past the most levels halfway
        }
        RawColumn levels = levels(values);
        assertThat(levels.levels()).isNull();
        for (int i = 0; i < values.size(); i++) {
            assertThat(levels.get(i)).isEqualTo(values.get(i));
        }
        assertSame(() -> SchemaInference.inferred("c", chars(values), "f", ReadOptions.defaults()),
                () -> SchemaInference.inferred("c", levels, "f", ReadOptions.defaults()));
    }

    @Test
    void aYesNoColumnKeepsTwoLevels() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            values.add(i % 2 == 0 ? "yes" : "no");
        }
        RawColumn levels = levels(values);
        assertThat(levels.levels()).containsExactly("yes", "no");
        DataColumn column = SchemaInference.inferred("c", levels, "f", ReadOptions.defaults());
        assertThat(column.type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(((NumericColumn) column).values()[0]).isEqualTo(1.0);
    }

    private static RawTable table(RawColumn column) {
        int[] lines = new int[column.size()];
        Arrays.setAll(lines, i -> i + 2);
        return new RawTable("f", List.of("c"), List.of(column), lines, "line");
    }

    private static RawColumn chars(List<String> values) {
        RawColumn raw = new RawColumn();
        values.forEach(raw::add);
        return raw;
    }

    private static RawColumn levels(List<String> values) {
        RawColumn raw = RawColumn.keepingLevels();
        values.forEach(raw::add);
        return raw;
    }

    private interface Read {
        DataColumn get();
    }

    private static void assertSame(Read expected, Read actual) {
        DataColumn want = null;
        DataColumn got = null;
        KilnException[] errors = new KilnException[2];
        try {
            want = expected.get();
        } catch (KilnException e) {
            errors[0] = e;
        }
        try {
            got = actual.get();
        } catch (KilnException e) {
            errors[1] = e;
        }
        if (errors[0] != null || errors[1] != null) {
            assertThat(errors[1]).as("error").isNotNull();
            assertThat(errors[0]).as("error").isNotNull();
            assertThat(errors[1].getMessage()).isEqualTo(errors[0].getMessage());
            assertThat(errors[1].details()).isEqualTo(errors[0].details());
            return;
        }
        assertThat(got.type()).isEqualTo(want.type());
        if (want instanceof NumericColumn n) {
            assertThat(Arrays.stream(((NumericColumn) got).values()).mapToLong(Double::doubleToRawLongBits).toArray())
                    .isEqualTo(Arrays.stream(n.values()).mapToLong(Double::doubleToRawLongBits).toArray());
        } else {
            assertThat(((StringColumn) got).values()).isEqualTo(((StringColumn) want).values());
        }
    }
}
