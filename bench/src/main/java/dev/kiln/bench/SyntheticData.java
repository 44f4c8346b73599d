package dev.kiln.bench;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic binary classification set: {@value #COLUMNS} numeric columns {@code x0..x19} and a
 * categorical target {@code label} ("no"/"yes", about 55% "yes"). The log-odds mix interactions,
 * thresholds and smooth non-linear terms of the first ten columns; the other ten are noise. About 1%
 * of the feature cells are missing (NaN), drawn after the label so missingness carries no signal.
 */
public final class SyntheticData {
    public static final int COLUMNS = 20;
    public static final String TARGET = "label";
    public static final double MISSING_RATE = 0.01;

    private SyntheticData() {
    }

    /** Feature column names x0..x19. */
    public static List<String> featureNames() {
        List<String> names = new ArrayList<>(COLUMNS);
        for (int j = 0; j < COLUMNS; j++) {
            names.add("x" + j);
        }
        return names;
    }

    /** {@code rows} rows: x0..x19 (NaN = missing) and the target column. */
    public static DataFrame frame(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] columns = new double[COLUMNS][rows];
        String[] labels = new String[rows];
        double[] x = new double[COLUMNS];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < COLUMNS; j++) {
                // Mixed scales and shapes: standard normals, uniforms, a skewed (log-normal) column.
                x[j] = switch (j % 4) {
                    case 0 -> gaussian(random);
                    case 1 -> random.nextDouble(-3.0, 3.0);
                    case 2 -> Math.exp(0.5 * gaussian(random));
                    default -> 10.0 * gaussian(random) + 50.0;
                };
            }
            double logit = 1.5 * Math.sin(2.0 * x[0])
                    + x[1] * x[4]
                    + (x[2] > 1.5 ? 1.2 : -0.4)
                    - 0.04 * (x[3] - 50.0)
                    + 0.6 * x[5] * x[5] - 1.0
                    + (x[6] > 1.0 && x[7] < 45.0 ? 1.5 : 0.0)
                    + 0.8 * Math.tanh(x[8] * x[9])
                    - 0.5;
            labels[i] = random.nextDouble() < 1.0 / (1.0 + Math.exp(-logit)) ? "yes" : "no";
            for (int j = 0; j < COLUMNS; j++) {
                columns[j][i] = random.nextDouble() < MISSING_RATE ? Double.NaN : x[j];
            }
        }
        List<DataColumn> out = new ArrayList<>(COLUMNS + 1);
        for (int j = 0; j < COLUMNS; j++) {
            out.add(new NumericColumn("x" + j, ColumnType.NUMERIC, columns[j]));
        }
        out.add(new StringColumn(TARGET, ColumnType.CATEGORICAL, labels));
        return new DataFrame(out, "synthetic(" + rows + "x" + COLUMNS + ", seed " + seed + ")", null);
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
