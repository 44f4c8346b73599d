package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.Task;
import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * {@link XGBoostData} builds its matrices off the heap (no on-heap float[] of the rows): the boosters it trains must be
 * the very ones an on-heap {@code float[]} matrix (how it built them before) trains, byte for byte.
 */
class XGBoostDataTest {
    @Test
    void offHeapMatrixTrainsTheSameBoosterAsAnOnHeapArray() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 3_000, 8, 0.1, 0.5, 7);
        double[][] x = problem.data().x();
        double[] y = problem.data().y();
        Map<String, Object> params = new HashMap<>(Map.of("tree_method", "hist", "objective", "binary:logistic",
                "max_depth", 4, "eta", 0.3, "seed", 1, "nthread", 1, "verbosity", 0));

        DMatrix offHeap = XGBoostData.matrix(x, y);
        DMatrix onHeap = onHeap(x, y);
        try {
            assertThat(offHeap.rowNum()).isEqualTo(onHeap.rowNum());
            assertThat(offHeap.getLabel()).containsExactly(onHeap.getLabel());
            Booster a = XGBoost.train(offHeap, params, 10, Map.of(), null, null);
            Booster b = XGBoost.train(onHeap, params, 10, Map.of(), null, null);
            try {
                assertThat(a.toByteArray("json")).isEqualTo(b.toByteArray("json"));
            } finally {
                a.dispose();
                b.dispose();
            }
        } finally {
            offHeap.dispose();
            onHeap.dispose();
        }
    }

    @Test
    void releasedRowsAreLetGoOnceCopiedAndTrainTheSameBooster() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 3_000, 8, 0.1, 0.5, 7);
        double[][] x = problem.data().x();
        double[][] released = x.clone(); // the same row arrays in an array of their own, which the matrix empties
        double[] y = problem.data().y();
        Map<String, Object> params = new HashMap<>(Map.of("tree_method", "hist", "objective", "binary:logistic",
                "max_depth", 4, "eta", 0.3, "seed", 1, "nthread", 1, "verbosity", 0));

        DMatrix kept = XGBoostData.matrix(x, y, null, null, false);
        DMatrix let = XGBoostData.matrix(released, y, null, null, true);
        try {
            assertThat((Object[]) x).as("rows kept").doesNotContainNull();
            assertThat((Object[]) released).as("every row let go").containsOnlyNulls();
            assertThat(let.rowNum()).isEqualTo(kept.rowNum());
            assertThat(let.nonMissingNum()).isEqualTo(kept.nonMissingNum());
            assertThat(let.getLabel()).containsExactly(kept.getLabel());
            Booster a = XGBoost.train(let, params, 10, Map.of(), null, null);
            Booster b = XGBoost.train(kept, params, 10, Map.of(), null, null);
            try {
                assertThat(a.toByteArray("json")).isEqualTo(b.toByteArray("json"));
            } finally {
                a.dispose();
                b.dispose();
            }
        } finally {
            kept.dispose();
            let.dispose();
        }
    }

    @Test
    void rowsAreNotLetGoWhenTheMatrixIsRefused() {
        double[][] x = {{1, 2}, {3, 4}};
        assertThatThrownBy(() -> XGBoostData.matrix(x, new double[] {0, 1}, null, new double[] {1}, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rows but 1 weights");
        assertThat((Object[]) x).doesNotContainNull();
    }

    /** The rows as one row-major float[] (NaN missing), as XGBoostData built them before. */
    private static DMatrix onHeap(double[][] x, double[] y) throws Exception {
        int cols = x[0].length;
        float[] flat = new float[x.length * cols];
        int k = 0;
        for (double[] row : x) {
            for (double v : row) {
                flat[k++] = (float) v;
            }
        }
        DMatrix m = new DMatrix(flat, x.length, cols, Float.NaN);
        float[] labels = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            labels[i] = (float) y[i];
        }
        m.setLabel(labels);
        return m;
    }
}
