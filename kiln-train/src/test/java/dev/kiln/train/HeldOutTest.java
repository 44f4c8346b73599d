package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.CostMatrix;
import dev.kiln.train.eval.Metrics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test rows reproduced from a run's data and options are exactly the rows its test metrics were computed on. */
class HeldOutTest {
    @TempDir
    Path dir;

    @Test
    void theReproducedTestRowsGiveTheBundlesOwnTestMetrics() throws Exception {
        Path data = TrainingTest.synthetic(dir.resolve("d.csv"), 700, 11);
        TrainOptions o = new TrainOptions(data, "y", null, null, null, 0.25, 0.2, 7, List.of("linear", "gbdt"), List.of(),
                null, new CostMatrix(1, 4), dir.resolve("b"), false);
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        BundleManifest m = model.manifest();

        DataFrame frame = DataReader.read(data);
        TrainOptions pinned = new TrainOptions(null, "y", Task.BINARY, null, null, 0.25, 0.2, 7, List.of(), List.of(),
                m.positiveClass(), null, null, false);
        HeldOut held = HeldOut.testRows(frame, pinned);

        assertThat(held.rows().rowCount()).isEqualTo(r.testRows());
        assertThat(held.classes()).isEqualTo(m.classes());
        double[][] out = new double[held.rows().rowCount()][];
        for (int i = 0; i < out.length; i++) {
            Map<String, Object> row = new HashMap<>(held.rows().row(i));
            row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
            double[] features = new double[model.featureNames().size()];
            model.encode(row, features);
            out[i] = model.score(features);
        }
        Map<String, Double> again = Metrics.of(Task.BINARY, held.y(), out, 0.5);
        for (String metric : Metrics.names(Task.BINARY)) {
            assertThat(again.get(metric)).as(metric).isEqualTo(m.testMetrics().get(metric));
        }
        double cost = BusinessCost.per1000(Metrics.classIndices(held.y()),
                java.util.Arrays.stream(out).mapToDouble(v -> v[0]).toArray(), model.decisionThreshold(), o.costMatrix());
        assertThat(cost).isEqualTo(m.testMetrics().get(BusinessCost.COST_PER_1000));
    }
}
