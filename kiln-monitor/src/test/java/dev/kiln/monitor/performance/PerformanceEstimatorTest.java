package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogFiles;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Calibration;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerformanceEstimatorTest {
    @TempDir
    Path logs;

    /** The identity map, fitted: the logged probabilities are taken as calibrated. */
    static final Calibration.ClassMap IDENTITY_FIT = new Calibration.ClassMap("bad", Calibration.ISOTONIC,
            new double[] {0, 1}, new double[] {0, 1}, 100, 100);

    /** A binary model (classes good, bad) whose bundle carries {@code calibration}; only its manifest matters here. */
    static KilnModel binary(Calibration calibration, String format) {
        FeaturePipeline pipeline = new FeaturePipeline(List.of(new FeatureTransform.Numeric("x", 0, false, 0, 1)));
        BundleManifest m = new BundleManifest(format, Task.BINARY, "class", List.of("good", "bad"), "bad", 0.5,
                new Schema(List.of(new Field("x", ColumnType.NUMERIC, true))), "linear", Map.of(), Map.of(),
                Map.of("accuracy", 0.8, "roc_auc", 0.85), null, null, Map.of());
        return KilnModel.of(new Bundle(null, m, pipeline, new LinearEstimator(new double[][] {{1.0}}, new double[] {0}, Link.LOGISTIC),
                null, null, calibration));
    }

    @Test
    void estimatesEachWindowAndMatchesTheRealisedMetricsWhenTheProbabilitiesAreCalibrated() throws Exception {
        Random r = new Random(3);
        List<String> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int labelledCorrect = 0;
        int labelled = 0;
        for (int i = 0; i < 4000; i++) {
            // Two months; the second's rows are less certain, so its accuracy is lower.
            boolean march = i >= 2000;
            double p = march ? 0.3 + 0.4 * r.nextDouble() : r.nextDouble();
            String time = march ? "2026-03-05T10:00:00Z" : "2026-02-05T10:00:00Z";
            String predicted = p >= 0.5 ? "bad" : "good";
            predictions.add(LogFiles.prediction("r" + i, time, "1", 0, "{\"x\":1}", predicted, p));
            if (i % 2 == 0) {
                String label = r.nextDouble() < p ? "bad" : "good";
                labels.add(LogFiles.label("r" + i, "2026-03-20T10:00:00Z", label));
                labelled++;
                labelledCorrect += label.equals(predicted) ? 1 : 0;
            }
        }
        predictions.add("{\"request_id\":\"broken\",\"time\":\"2026-02-05T10:00:00Z\",\"model\":\"credit\",\"version\":\"1\","
                + "\"row\":0,\"inputs\":{},\"outputs\":{\"prediction\":\"maybe\",\"probabilities\":{\"good\":0.5,\"bad\":0.5}},\"latency_ms\":1}");
        LogFiles.write(logs, "credit", PredictionLogReader.PREDICTIONS, "20260205-100000", 0, predictions);
        LogFiles.write(logs, "credit", PredictionLogReader.FEEDBACK, "20260320-100000", 0, labels);
        Calibration calibration = new Calibration(Calibration.ISOTONIC, "validation rows", 200, List.of(IDENTITY_FIT), List.of());
        KilnModel model = binary(calibration, "1.3");

        EstimateReport report = PerformanceEstimator.estimate(new PredictionLogReader(logs, "credit"), LogWindow.ALL,
                v -> model, Buckets.parse("1mo", "--window"), null);

        assertThat(report.windows()).hasSize(2);
        assertThat(report.window()).isEqualTo("1mo");
        for (EstimateReport.Estimate w : report.windows()) {
            assertThat(w.calibration()).isEqualTo(EstimateReport.CALIBRATED);
            assertThat(w.calibrationNote()).isEqualTo("isotonic on 200 validation rows");
            assertThat(w.labelled()).isEqualTo(1000);
            assertThat(w.estimatedAccuracy().value()).as(w.toString()).isCloseTo(w.realisedAccuracy(), within(0.04));
            assertThat(w.estimatedRocAuc().value()).as(w.toString()).isCloseTo(w.realisedRocAuc(), within(0.05));
            assertThat(w.estimatedAccuracy().low()).isLessThan(w.estimatedAccuracy().value());
        }
        assertThat(report.windows().get(0).estimatedAccuracy().value()).as("Feb: uniform p, E[max(p, 1-p)] = 0.75")
                .isCloseTo(0.75, within(0.02));
        assertThat(report.windows().get(1).estimatedAccuracy().value()).as("Mar: p in [0.3, 0.7], E[max(p, 1-p)] = 0.6").isCloseTo(0.60, within(0.02));
        EstimateReport.Estimate all = report.versions().get(0);
        assertThat(all.rows()).isEqualTo(4000);
        assertThat(all.rowsUnusable()).as("the row whose decision is no class").isEqualTo(1);
        assertThat(all.realisedAccuracy()).isEqualTo((double) labelledCorrect / labelled);
        assertThat(all.start()).isNull();
    }

    /** Past the rows it keeps, a window's AUCs come from a uniform sample; its accuracies stay exact. */
    @Test
    void aBusyWindowKeepsASampleForTheAucsAndCountsAccuracyExactly() {
        Calibration calibration = new Calibration(Calibration.ISOTONIC, "validation rows", 200, List.of(IDENTITY_FIT), List.of());
        KilnModel model = binary(calibration, "1.3");
        EstimateAccumulator all = new EstimateAccumulator(model, 50_000);
        EstimateAccumulator sampled = new EstimateAccumulator(model, 2_000);
        Random r = new Random(4);
        for (int i = 0; i < 20_000; i++) {
            double p = r.nextDouble();
            String predicted = p >= 0.5 ? "bad" : "good";
            var record = new dev.kiln.monitor.logs.PredictionRecord("r" + i, java.time.Instant.EPOCH, "credit", "1", 0, Map.of(),
                    predicted, Map.of("good", 1 - p, "bad", p), 1, false);
            String label = i % 3 == 0 ? (r.nextDouble() < p ? "bad" : "good") : null;
            all.add(record, label);
            sampled.add(record, label);
        }
        EstimateReport.Estimate exact = all.result("1", null, null);
        EstimateReport.Estimate approx = sampled.result("1", null, null);
        assertThat(approx.rows()).isEqualTo(20_000);
        assertThat(approx.estimatedAccuracy()).isEqualTo(exact.estimatedAccuracy());
        assertThat(approx.realisedAccuracy()).isEqualTo(exact.realisedAccuracy());
        assertThat(approx.labelled()).isEqualTo(exact.labelled());
        assertThat(approx.estimatedRocAuc().value()).isCloseTo(exact.estimatedRocAuc().value(), within(0.02));
        // about 670 labelled rows kept: the realised AUC's standard error is about 0.017
        assertThat(approx.realisedRocAuc()).isCloseTo(exact.realisedRocAuc(), within(0.06));
    }

    @Test
    void aBundleWithoutCalibrationSaysSoAndEstimatesNothing() throws Exception {
        LogFiles.write(logs, "credit", PredictionLogReader.PREDICTIONS, "20260205-100000", 0,
                List.of(LogFiles.prediction("a", "2026-02-05T10:00:00Z", "1", 0, "{\"x\":1}", "bad", 0.9)));
        EstimateReport old = PerformanceEstimator.estimate(new PredictionLogReader(logs, "credit"), LogWindow.ALL,
                v -> binary(null, "1.2"), Buckets.of(Duration.ofDays(1)), null);
        EstimateReport.Estimate e = old.versions().get(0);
        assertThat(e.calibration()).isEqualTo(EstimateReport.CALIBRATION_UNAVAILABLE);
        assertThat(e.calibrationNote()).contains("format 1.2").contains("retrain");
        assertThat(e.estimatedAccuracy()).isNull();
        assertThat(e.estimatedRocAuc()).isNull();
        assertThat(e.rows()).isEqualTo(1);

        Calibration none = new Calibration(Calibration.NONE, "validation rows", 12, List.of(),
                List.of("only 12 validation rows (fewer than 50): not calibrated"));
        EstimateReport.Estimate few = PerformanceEstimator.estimate(new PredictionLogReader(logs, "credit"), LogWindow.ALL,
                v -> binary(none, "1.3"), Buckets.of(Duration.ofDays(1)), null).versions().get(0);
        assertThat(few.calibration()).isEqualTo(EstimateReport.CALIBRATION_UNAVAILABLE);
        assertThat(few.calibrationNote()).contains("only 12 validation rows");
    }

    @Test
    void aMulticlassModelIsEstimatedWithItsClassesRenormalised() throws Exception {
        Random r = new Random(9);
        List<String> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String[] classes = {"rain", "sun", "fog"};
        for (int i = 0; i < 3000; i++) {
            double a = r.nextDouble();
            double b = r.nextDouble() * (1 - a);
            double[] p = {a, b, 1 - a - b};
            int decided = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
            double u = r.nextDouble();
            int label = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
            predictions.add(String.format(Locale.ROOT, "{\"request_id\":\"m%d\",\"time\":\"2026-02-05T10:00:00Z\",\"model\":\"w\","
                    + "\"version\":\"2\",\"row\":0,\"inputs\":{\"day\":\"2014-0%d-10\"},\"outputs\":{\"prediction\":\"%s\","
                    + "\"probabilities\":{\"rain\":%s,\"sun\":%s,\"fog\":%s}},\"latency_ms\":1}", i, 1 + i % 2, classes[decided],
                    p[0], p[1], p[2]));
            labels.add(String.format(Locale.ROOT, "{\"request_id\":\"m%d\",\"time\":\"2026-03-01T10:00:00Z\",\"model\":\"w\","
                    + "\"served_version\":\"2\",\"label\":\"%s\",\"feedback_id\":\"f%d\"}", i, classes[label], i));
        }
        LogFiles.write(logs, "w", PredictionLogReader.PREDICTIONS, "20260205-100000", 0, predictions);
        LogFiles.write(logs, "w", PredictionLogReader.FEEDBACK, "20260301-100000", 0, labels);
        List<Calibration.ClassMap> maps = new ArrayList<>();
        for (String c : classes) {
            maps.add(new Calibration.ClassMap(c, Calibration.ISOTONIC, new double[] {0, 1}, new double[] {0, 1}, 50, 50));
        }
        FeaturePipeline pipeline = new FeaturePipeline(List.of(new FeatureTransform.Numeric("x", 0, false, 0, 1)));
        BundleManifest m = new BundleManifest("1.3", Task.MULTICLASS, "weather", List.of(classes), null, null,
                new Schema(List.of(new Field("x", ColumnType.NUMERIC, true))), "linear", Map.of(), Map.of(), Map.of(), null, null, Map.of());
        KilnModel model = KilnModel.of(new Bundle(null, m, pipeline,
                new LinearEstimator(new double[][] {{1.0}, {0.0}, {-1.0}}, new double[] {0, 0, 0}, Link.SOFTMAX), null, null,
                new Calibration(Calibration.ISOTONIC, "validation rows", 150, maps, List.of())));

        EstimateReport report = PerformanceEstimator.estimate(new PredictionLogReader(logs, "w"), LogWindow.ALL, v -> model,
                Buckets.parse("1mo", "--window"), "day");
        assertThat(report.timeSource()).isEqualTo("input:day");
        assertThat(report.windows()).extracting(w -> w.start().toString())
                .containsExactly("2014-01-01T00:00:00Z", "2014-02-01T00:00:00Z");
        for (EstimateReport.Estimate w : report.windows()) {
            assertThat(w.rows()).isEqualTo(1500);
            assertThat(w.estimatedAccuracy().value()).as(w.toString()).isCloseTo(w.realisedAccuracy(), within(0.04));
            assertThat(w.estimatedRocAuc().value()).as(w.toString()).isCloseTo(w.realisedRocAuc(), within(0.04));
        }
    }

    /**
     * A format 1.4 bundle's calibration is applied by the model: the logged probabilities went through it already, so
     * the estimate takes them as they are; a 1.3 bundle's (not applied) still maps the logged raw probabilities.
     */
    @Test
    void anAppliedCalibrationIsNotAppliedASecondTimeToTheLoggedProbabilities() {
        Calibration.ClassMap map = Calibration.ClassMap.platt("bad", 1, -2, 100, 100);
        KilnModel applied = binary(new Calibration(Calibration.PLATT, "held-out rows", 200, List.of(map), List.of(), true), "1.4");
        KilnModel notApplied = binary(new Calibration(Calibration.PLATT, "held-out rows", 200, List.of(map), List.of(), false), "1.3");
        KilnModel rawKept = binary(new Calibration(Calibration.IDENTITY, "held-out rows", 200, List.of(
                new Calibration.ClassMap("bad", Calibration.IDENTITY, null, null, 100, 100)), List.of(), true), "1.4");
        EstimateAccumulator once = new EstimateAccumulator(applied);
        EstimateAccumulator mapped = new EstimateAccumulator(notApplied);
        EstimateAccumulator kept = new EstimateAccumulator(rawKept);
        double sumLogged = 0;
        double sumMapped = 0;
        Random r = new Random(5);
        int n = 1000;
        for (int i = 0; i < n; i++) {
            double p = r.nextDouble();
            String predicted = p >= 0.5 ? "bad" : "good";
            var record = new dev.kiln.monitor.logs.PredictionRecord("r" + i, java.time.Instant.EPOCH, "credit", "1", 0,
                    Map.of(), predicted, Map.of("good", 1 - p, "bad", p), 1, false);
            once.add(record, null);
            mapped.add(record, null);
            kept.add(record, null);
            sumLogged += Math.max(p, 1 - p);
            double q = map.apply(p);
            sumMapped += predicted.equals("bad") ? q : 1 - q;
        }
        EstimateReport.Estimate e = once.result("1", null, null);
        assertThat(e.calibration()).isEqualTo(EstimateReport.CALIBRATED);
        assertThat(e.calibrationNote()).contains("applied by the model");
        assertThat(e.estimatedAccuracy().value()).isCloseTo(sumLogged / n, within(1e-9));
        assertThat(kept.result("1", null, null).estimatedAccuracy().value()).isCloseTo(sumLogged / n, within(1e-9));
        EstimateReport.Estimate old = mapped.result("1", null, null);
        assertThat(old.estimatedAccuracy().value()).isCloseTo(sumMapped / n, within(1e-9));
        assertThat(old.estimatedAccuracy().value()).isNotCloseTo(e.estimatedAccuracy().value(), within(0.05));
    }
}
