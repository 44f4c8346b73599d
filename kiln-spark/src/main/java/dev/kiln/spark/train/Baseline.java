package dev.kiln.spark.train;

import dev.kiln.runtime.Task;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * kiln train's baseline on the fitting rows, for the registry's gates (a model is compared with the baseline of its own
 * run): each class's share (binary: the positive class's), or the mean of a regression target.
 */
final class Baseline {
    private Baseline() {
    }

    static double[] of(Dataset<Row> encoded, TargetColumn target) {
        if (target.task() == Task.REGRESSION) {
            return new double[] {encoded.agg(functions.avg(FeatureRows.LABEL)).first().getDouble(0)};
        }
        int k = target.classes().size();
        long[] counts = new long[k];
        long total = 0;
        List<Row> rows = encoded.groupBy(FeatureRows.LABEL).count().collectAsList();
        for (Row r : rows) {
            counts[(int) r.getDouble(0)] = r.getLong(1);
            total += r.getLong(1);
        }
        if (target.task() == Task.BINARY) {
            return new double[] {counts[1] / (double) total};
        }
        double[] shares = new double[k];
        for (int j = 0; j < k; j++) {
            shares[j] = counts[j] / (double) total;
        }
        return shares;
    }
}
