package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The column-by-column encoding ({@link FeaturePipelineFitter#encode(FeaturePipeline, DataFrame, int[])}) writes, bit for
 * bit, what the row-by-row path ({@link FeaturePipeline#transform}, the one scoring uses) writes for the same rows: on
 * mixed frames of numbers with missing values, categories one-hot and as codes, and datetimes with and without a time.
 */
class ColumnarEncodeTest {

    @Property(tries = 60)
    void columnByColumnEqualsRowByRowBitForBit(@ForAll @IntRange(min = 1, max = 300) int rows, @ForAll long seed,
                                               @ForAll boolean scale, @ForAll boolean codes) {
        Random random = new Random(seed);
        DataFrame frame = mixedFrame(rows, random);
        FeaturePipelineFitter.Options options = FeaturePipelineFitter.Options.defaults(scale);
        if (codes) {
            options = options.withCategoricalCodes();
        }
        FeaturePipeline pipeline = FeaturePipelineFitter.fit(frame, frame.names(), options).pipeline();

        assertBitForBit(FeaturePipelineFitter.encode(pipeline, frame), rowByRow(pipeline, frame, null));
        int[] some = random.ints(random.nextInt(rows + 1), 0, rows).toArray(); // any rows, repeated, in any order
        assertBitForBit(FeaturePipelineFitter.encode(pipeline, frame, some), rowByRow(pipeline, frame, some));
    }

    /** The encoding as it was before it went by columns: each row's boxed values through the runtime's transform. */
    private static double[][] rowByRow(FeaturePipeline pipeline, DataFrame frame, int[] rowsOrNull) {
        List<String> inputs = pipeline.inputColumns();
        DataColumn[] columns = new DataColumn[inputs.size()];
        for (int j = 0; j < columns.length; j++) {
            columns[j] = frame.column(inputs.get(j));
        }
        int n = rowsOrNull == null ? frame.rowCount() : rowsOrNull.length;
        double[][] x = new double[n][];
        Object[] values = new Object[columns.length];
        for (int i = 0; i < n; i++) {
            int row = rowsOrNull == null ? i : rowsOrNull[i];
            for (int j = 0; j < columns.length; j++) {
                values[j] = columns[j].value(row);
            }
            x[i] = new double[pipeline.width()];
            pipeline.transform(values, x[i]);
        }
        return x;
    }

    private static void assertBitForBit(double[][] actual, double[][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i].length).isEqualTo(expected[i].length);
            for (int j = 0; j < actual[i].length; j++) {
                assertThat(Double.doubleToRawLongBits(actual[i][j])).as("row %d feature %d", i, j)
                        .isEqualTo(Double.doubleToRawLongBits(expected[i][j]));
            }
        }
    }

    private static DataFrame mixedFrame(int rows, Random random) {
        double[] number = new double[rows];
        double[] integer = new double[rows];
        double[] flag = new double[rows];
        double[] day = new double[rows];
        double[] moment = new double[rows];
        String[] category = new String[rows];
        String[] rare = new String[rows];
        for (int i = 0; i < rows; i++) {
            number[i] = random.nextInt(8) == 0 ? Double.NaN
                    : random.nextInt(20) == 0 ? random.nextDouble() * 1e300 : random.nextGaussian() * 1e3;
            integer[i] = random.nextInt(5) == 0 ? Double.NaN : random.nextInt(100) - 50;
            flag[i] = random.nextBoolean() ? 1 : 0;
            day[i] = random.nextInt(6) == 0 ? Double.NaN : 86_400_000L * (random.nextInt(20_000) - 2_000);
            moment[i] = random.nextInt(6) == 0 ? Double.NaN : 1_600_000_000_000L + random.nextInt(1_000_000_000);
            category[i] = random.nextInt(7) == 0 ? null : "level" + random.nextInt(6);
            rare[i] = random.nextInt(3) == 0 ? null : "r" + random.nextInt(rows + 1);
        }
        List<DataColumn> columns = new ArrayList<>();
        columns.add(new NumericColumn("number", ColumnType.NUMERIC, number));
        columns.add(new NumericColumn("integer", ColumnType.INTEGER, integer));
        columns.add(new NumericColumn("flag", ColumnType.BOOLEAN, flag));
        columns.add(new NumericColumn("day", ColumnType.DATETIME, day));
        columns.add(new NumericColumn("moment", ColumnType.DATETIME, moment));
        columns.add(new StringColumn("category", ColumnType.CATEGORICAL, category));
        columns.add(new StringColumn("rare", ColumnType.CATEGORICAL, rare));
        return new DataFrame(columns, "mixed", null);
    }
}
