package dev.kiln.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.monitor.performance.PerformanceEstimator;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimation error check: a binary problem whose P(y | x) is fixed while the distribution of x narrows towards the
 * decision boundary window by window, so the accuracy falls from about 0.87 to 0.58. CBPE, from the calibration fitted
 * at training, tracks the realised metrics (exact in expectation when calibration holds; measured in bench/cbpe, mean
 * absolute error 0.008 accuracy and 0.010 AUC for this model); assuming the test metric misses by about 0.11. The
 * bounds here are loose.
 */
class CbpeCovariateShiftTest {
    @TempDir
    Path dir;

    static String label(Random r, double x1, double x2) {
        double p = 1 / (1 + Math.exp(-(2 * x1 - 1.5 * x2 + 0.5)));
        return r.nextDouble() < p ? "pos" : "neg";
    }

    @Test
    void cbpeTracksTheRealisedMetricsUnderCovariateShiftBetterThanTheTestMetric() throws Exception {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 4000; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            sb.append(x1).append(',').append(x2).append(',').append(label(r, x1, x2)).append('\n');
        }
        Path data = Files.writeString(dir.resolve("train.csv"), sb.toString());
        var report = Training.run(new TrainOptions(data, "y", null, null, null, 0.2, 0.2, 42, List.of("linear"), List.of(),
                null, null, dir.resolve("bundle"), false), ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(report.bundle()));
        assertThat(model.bundle().calibration().available()).isTrue();

        double[] spread = {1.5, 1.0, 0.6, 0.3, 0.2};
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, String> labels = new HashMap<>();
        for (int w = 0; w < spread.length; w++) {
            for (int i = 0; i < 2000; i++) {
                double x1 = -0.25 * w / (spread.length - 1) + spread[w] * r.nextGaussian();
                double x2 = spread[w] * r.nextGaussian();
                Map<String, Object> row = new HashMap<>();
                row.put("x1", x1);
                row.put("x2", x2);
                row.put("day", String.format(Locale.ROOT, "2026-%02d-15", w + 1));
                labels.put("r" + rows.size() + "#0", label(r, x1, x2));
                rows.add(row);
            }
        }
        List<Prediction> predictions = model.predictBatch(rows);
        PerformanceEstimator.Pass pass = new PerformanceEstimator.Pass(Buckets.parse("1mo", "--window"), "day", labels, null);
        for (int i = 0; i < rows.size(); i++) {
            Prediction p = predictions.get(i);
            pass.add(new PredictionRecord("r" + i, Instant.EPOCH, "synthetic", "1", 0, rows.get(i), p.prediction(),
                    p.probabilities(), 0, false), model);
        }
        EstimateReport estimate = pass.report("synthetic", null);

        assertThat(estimate.windows()).hasSize(spread.length);
        double testAccuracy = model.manifest().testMetrics().get("accuracy");
        double testAuc = model.manifest().testMetrics().get("roc_auc");
        double cbpeAccuracy = 0;
        double cbpeAuc = 0;
        double naiveAccuracy = 0;
        double naiveAuc = 0;
        for (EstimateReport.Estimate w : estimate.windows()) {
            assertThat(w.labelled()).isEqualTo(2000);
            assertThat(Math.abs(w.estimatedAccuracy().value() - w.realisedAccuracy())).as(w.toString()).isLessThan(0.05);
            assertThat(Math.abs(w.estimatedRocAuc().value() - w.realisedRocAuc())).as(w.toString()).isLessThan(0.06);
            cbpeAccuracy += Math.abs(w.estimatedAccuracy().value() - w.realisedAccuracy()) / spread.length;
            cbpeAuc += Math.abs(w.estimatedRocAuc().value() - w.realisedRocAuc()) / spread.length;
            naiveAccuracy += Math.abs(testAccuracy - w.realisedAccuracy()) / spread.length;
            naiveAuc += Math.abs(testAuc - w.realisedRocAuc()) / spread.length;
        }
        EstimateReport.Estimate last = estimate.windows().get(spread.length - 1);
        assertThat(last.realisedAccuracy()).as("the shift makes the model worse").isLessThan(testAccuracy - 0.15);
        assertThat(cbpeAccuracy).isLessThan(0.03);
        assertThat(cbpeAuc).isLessThan(0.04);
        assertThat(cbpeAccuracy).as("better than assuming the test accuracy").isLessThan(naiveAccuracy / 3);
        assertThat(cbpeAuc).as("better than assuming the test AUC").isLessThan(naiveAuc / 3);
    }
}
