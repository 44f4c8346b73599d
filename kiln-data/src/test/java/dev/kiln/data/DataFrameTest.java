package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.csv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataFrameTest {
    private final DataFrame df = csv("id,color,score\n1,red,0.5\n2,,1.5\n3,blue,NA\n4,red,2\n");

    @Test
    void columnLookup() {
        assertThat(df.has("color")).isTrue();
        assertThat(df.has("nope")).isFalse();
        assertKiln(() -> df.column("nope"), ErrorCode.COLUMN_MISSING)
                .hasMessage("column 'nope' not found in test.csv; available columns: id, color, score");
    }

    @Test
    void schemaRecordsNullability() {
        assertThat(df.schema().fields()).containsExactly(
                new Field("id", ColumnType.INTEGER, false),
                new Field("color", ColumnType.CATEGORICAL, true),
                new Field("score", ColumnType.NUMERIC, true));
    }

    @Test
    void selectDropAndRow() {
        DataFrame picked = df.select(new int[] {3, 0});
        assertThat(picked.rowCount()).isEqualTo(2);
        assertThat(picked.column("id").value(0)).isEqualTo(4.0);
        assertThat(picked.sha256()).isEqualTo(df.sha256());
        assertThat(picked.source()).isEqualTo(df.source());

        DataFrame dropped = df.drop("color");
        assertThat(dropped.names()).containsExactly("id", "score");
        assertKiln(() -> df.drop("nope"), ErrorCode.COLUMN_MISSING);

        assertThat(df.row(1)).containsEntry("color", null).containsEntry("score", 1.5);
        assertThat((Double) df.row(2).get("score")).isNaN();
        assertKiln(() -> df.row(4), ErrorCode.INVALID_ARGUMENT);
        assertKiln(() -> df.select(new int[] {7}), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void columnsSelectAndCompareByContent() {
        NumericColumn n = new NumericColumn("x", ColumnType.NUMERIC, new double[] {1, Double.NaN, 3});
        assertThat(n.select(new int[] {2, 1})).isEqualTo(new NumericColumn("x", ColumnType.NUMERIC, new double[] {3, Double.NaN}));
        StringColumn s = new StringColumn("s", ColumnType.TEXT, new String[] {"a", null});
        assertThat(s.select(new int[] {1}).isMissing(0)).isTrue();
        assertKiln(() -> new NumericColumn("x", ColumnType.CATEGORICAL, new double[0]), ErrorCode.INTERNAL);
        assertKiln(() -> new DataFrame(List.of(n, new NumericColumn("x", ColumnType.NUMERIC, new double[3])), "s", null),
                ErrorCode.INTERNAL);
    }
}
