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
            DMatrix matrix;
            long size = (long) rows * cols;
            if (size <= Integer.MAX_VALUE - 16) {
                float[] flat = new float[(int) size];
                int k = 0;
                for (double[] row : x) {
                    for (int j = 0; j < cols; j++) {
                        flat[k++] = (float) row[j];
                    }
                }
                matrix = new DMatrix(flat, rows, cols, Float.NaN);
            } else {
                // More than 2^31 values: fill off-heap memory; XGBoost copies it into its own matrix.
                BigDenseMatrix big = new BigDenseMatrix(rows, cols);
                try {
                    long k = 0;
                    for (double[] row : x) {
                        for (int j = 0; j < cols; j++) {
                            big.set(k++, (float) row[j]);
                        }
                    }
                    matrix = new DMatrix(big, Float.NaN);
                } finally {
                    big.dispose();
                }
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
