package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.train.constraints.Latency;
import dev.kiln.train.eval.Slices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training run reports about the model it chose, beyond its metrics: its slices (the test rows by group),
 * what drives it (feature importance from exact explanations of validation rows), and its single-row latency through
 * the public scoring API. Split from {@link Training} so the run reads as its steps.
 */
final class ChosenModelAnalyses {
    private ChosenModelAnalyses() {
    }

    /** The chosen model on the test rows, grouped by each {@code --slice-by} column (see {@link Slices}). */
    static List<Slices.Column> slices(TrainOptions o, Task task, DataFrame testRows, double[] yTest, double[][] out,
                                              double threshold) {
        List<Slices.Column> slices = new ArrayList<>();
        if (testRows.rowCount() == 0) {
            return slices;
        }
        int[] labels = task.isClassification() ? Training.labels(yTest) : null;
        for (String name : o.sliceBy()) {
            List<ColumnType> types = new ArrayList<>();
            List<Object[]> parts = new ArrayList<>();
            for (String part : name.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                var column = testRows.column(part);
                Object[] v = new Object[testRows.rowCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = column.value(i);
                }
                types.add(column.type());
                parts.add(column instanceof NumericColumn n && n.words() != null ? Slices.answers(n.words(), v) : v);
            }
            Slices.Input in = Slices.Input.of(types, parts);
            ColumnType type = in.type();
            Object[] values = in.values();
            slices.add(switch (task) {
                case BINARY -> Slices.binary(name, type, values, labels,
                        Arrays.stream(out).mapToDouble(r -> r[0]).toArray(), threshold);
                case MULTICLASS -> Slices.multiclass(name, type, values, labels,
                        Arrays.stream(out).mapToInt(Training::argMax).toArray());
                case REGRESSION -> Slices.regression(name, type, values, yTest,
                        Arrays.stream(out).mapToDouble(r -> r[0]).toArray());
            });
        }
        return slices;
    }

    /** Validation rows explained for the chosen model's feature importance (evenly spaced when there are more). */
    static final int IMPORTANCE_ROWS = 1000;

    /**
     * What drives the chosen model: each input column's mean absolute contribution to its margin over the validation
     * rows (multiclass: averaged over the classes too), as {@code {"space", "rows", "columns"}} (largest first here; the
     * manifest's JSON orders keys by name, so readers sort by value); null when there are no validation rows.
     */
    /** The rows {@link #importance} explains: at most {@link #IMPORTANCE_ROWS}, evenly spaced, in order. */
    static double[][] importanceRows(double[][] rows) {
        int n = Math.min(rows.length, IMPORTANCE_ROWS);
        double[][] explained = new double[n][];
        for (int i = 0; i < n; i++) {
            explained[i] = rows[(int) ((long) i * rows.length / n)];
        }
        return explained;
    }

    static Map<String, Object> importance(BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                                          double[][] rows) {
        KilnModel model = KilnModel.of(new Bundle(null, manifest, pipeline, estimator, null));
        if (rows.length == 0 || !model.explainable()) {
            return null;
        }
        double[][] explained = importanceRows(rows);
        int n = explained.length;
        List<String> columns = pipeline.inputColumns();
        double[] sum = new double[columns.size()];
        String space = null;
        for (int i = 0; i < n; i++) {
            dev.kiln.runtime.Explanation e = model.explainFeatures(explained[i]);
            space = e.space();
            for (int k = 0; k < e.outputs().size(); k++) {
                double[] v = e.values(k);
                for (int c = 0; c < v.length; c++) {
                    sum[c] += Math.abs(v[c]) / e.outputs().size();
                }
            }
        }
        Integer[] order = new Integer[columns.size()];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> Double.compare(sum[b], sum[a]));
        Map<String, Object> byColumn = new LinkedHashMap<>();
        for (int c : order) {
            byColumn.put(columns.get(c), sum[c] / n);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("space", space);
        out.put("rows", n);
        out.put("columns", byColumn);
        return out;
    }

    /**
     * Single-row latency through the public scoring API: {p50, p99} in microseconds, NaN without rows. Measured by
     * {@link Latency#measure(KilnModel, DataFrame)} (warm-up, at least 1,000 calls per pass, the median of three passes),
     * robust enough to compare with {@code --max-latency-us}.
     */
    static double[] latencyMicros(KilnModel model, DataFrame rows) {
        Latency latency = Latency.measure(model, rows);
        return new double[] {latency.p50Micros(), latency.p99Micros()};
    }
}
