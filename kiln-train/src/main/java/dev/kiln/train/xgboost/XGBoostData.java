package dev.kiln.train.xgboost;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.java.util.BigDenseMatrix;

/**
 * Kiln's feature rows as XGBoost {@link DMatrix}es. Values are cast to {@code float} exactly as Kiln's
 * {@link dev.kiln.runtime.model.Tree} casts them when scoring, and NaN marks a missing value (XGBoost then
 * follows the node's default direction, as Kiln does).
 */
public final class XGBoostData {
    private XGBoostData() {
    }

    /**
     * A dense DMatrix of {@code x} (rows of equal width, NaN = missing) with labels {@code yOrNull} when
     * not null. The caller owns the matrix and should {@link DMatrix#dispose()} it.
     *
     * @throws KilnException TRAINING_FAILED if XGBoost refuses the data
     */
    public static DMatrix matrix(double[][] x, double[] yOrNull) {
        return matrix(x, yOrNull, null, null);
    }

    /**
     * As above, with XGBoost's feature types when {@code categoricalOrNull} marks a feature ({@code "c"} for a
     * category code, {@code "q"} otherwise: XGBoost's {@code enable_categorical}, which its {@code hist} method then
     * splits by category sets) and row weights when {@code weightsOrNull} is not null ({@code DMatrix.setWeight}).
     */
    public static DMatrix matrix(double[][] x, double[] yOrNull, boolean[] categoricalOrNull, double[] weightsOrNull) {
        return matrix(x, yOrNull, categoricalOrNull, weightsOrNull, false);
    }

    /**
     * As above; with {@code releaseRows} every row of {@code x} is let go ({@code x[i] = null}) once copied, for a caller
     * that reads none of them after the fit ({@link dev.kiln.train.TrainingData#rowsReleasable}). Rows of at least
     * {@link #COLLECT_AFTER_RELEASE_CELLS} values are then collected before XGBoost builds its own matrix: the collector
     * shrinks the heap only after a full collection, and XGBoost's matrix (8 bytes a value) is the run's largest native
     * allocation, so without it the rows' pages stay resident under it (on 1M rows x 20 numbers the gbdt refit peaked at
     * 783-801 MB resident with the rows kept).
     */
    public static DMatrix matrix(double[][] x, double[] yOrNull, boolean[] categoricalOrNull, double[] weightsOrNull,
                                 boolean releaseRows) {
        int rows = x == null ? 0 : x.length; // read before the rows are released
        int width = rows == 0 ? 0 : x[0].length;
        // Checked before the rows are copied (and perhaps released).
        if (categoricalOrNull != null && rows > 0 && categoricalOrNull.length != width) {
            throw new IllegalArgumentException(width + " features but " + categoricalOrNull.length + " categorical flags");
        }
        if (weightsOrNull != null && rows > 0 && weightsOrNull.length != rows) {
            throw new IllegalArgumentException(rows + " rows but " + weightsOrNull.length + " weights");
        }
        DMatrix matrix = dense(x, yOrNull, releaseRows);
        try {
            if (categoricalOrNull != null) {
                String[] types = new String[categoricalOrNull.length];
                for (int j = 0; j < types.length; j++) {
                    types[j] = categoricalOrNull[j] ? "c" : "q";
                }
                matrix.setFeatureTypes(types);
            }
            if (weightsOrNull != null) {
                float[] w = new float[weightsOrNull.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) weightsOrNull[i];
                }
                matrix.setWeight(w);
            }
            return matrix;
        } catch (XGBoostError e) {
            matrix.dispose();
            throw failed("could not build the XGBoost matrix", e);
        } catch (RuntimeException e) {
            matrix.dispose();
            throw e;
        }
    }

    /** Rows of at least this many values (8 bytes each: 64 MB) are worth a full collection once released. */
    static final long COLLECT_AFTER_RELEASE_CELLS = 8L << 20;

    private static DMatrix dense(double[][] x, double[] yOrNull, boolean releaseRows) {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException("no rows to put in an XGBoost matrix");
        }
        int rows = x.length;
        int cols = x[0].length;
        if (cols == 0) {
            throw new IllegalArgumentException("rows have no features");
        }
        if (yOrNull != null && yOrNull.length != rows) {
            throw new IllegalArgumentException(rows + " rows but " + yOrNull.length + " labels");
        }
        for (int i = 0; i < rows; i++) {
            if (x[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, row 0 has " + cols);
            }
        }
        try {
            // Off the heap, straight from the rows: an on-heap float[] would be a second copy of the rows on the heap
            // (a large humongous array), and the JNI call for a float[] copies it once more into native memory before
            // XGBoost builds its own matrix from it. Both paths end in the same XGDMatrixCreateFromMat.
            DMatrix matrix;
            BigDenseMatrix dense = new BigDenseMatrix(rows, cols);
            try {
                long k = 0;
                for (int i = 0; i < rows; i++) {
                    double[] row = x[i];
                    for (int j = 0; j < cols; j++) {
                        dense.set(k++, (float) row[j]);
                    }
                    if (releaseRows) {
                        x[i] = null;
                    }
                }
                if (releaseRows && (long) rows * cols >= COLLECT_AFTER_RELEASE_CELLS) {
                    System.gc(); // a hint: -XX:+DisableExplicitGC ignores it
                }
                matrix = new DMatrix(dense, Float.NaN);
            } finally {
                dense.dispose();
            }
            if (yOrNull != null) {
                float[] labels = new float[rows];
                for (int i = 0; i < rows; i++) {
                    labels[i] = (float) yOrNull[i];
                }
                try {
                    matrix.setLabel(labels);
                } catch (XGBoostError | RuntimeException e) {
                    matrix.dispose();
                    throw e;
                }
            }
            return matrix;
        } catch (XGBoostError e) {
            throw failed("could not build the XGBoost matrix", e);
        }
    }

    static KilnException failed(String what, XGBoostError e) {
        return new KilnException(ErrorCode.TRAINING_FAILED, what + ": " + e.getMessage(), Map.of(), e);
    }
}
