package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bundle whose calibration is applied returns calibrated probabilities, and its predicted class follows them. */
class CalibratedPredictionTest {
    private static final FeaturePipeline PIPELINE =
            new FeaturePipeline(List.of(new FeatureTransform.Numeric("x", 0, false, 0, 1)));
    private static final Schema SCHEMA = new Schema(List.of(new Field("x", ColumnType.NUMERIC, true)));

    private static KilnModel binary(Calibration calibration, String format) {
        BundleManifest m = new BundleManifest(format, Task.BINARY, "class", List.of("good", "bad"), "bad", 0.5, SCHEMA,
                "linear", Map.of(), Map.of(), Map.of(), null, null, Map.of());
        return KilnModel.of(new Bundle(null, m, PIPELINE,
                new LinearEstimator(new double[][] {{1.0}}, new double[] {0}, Link.LOGISTIC), null, null, calibration));
    }

    private static KilnModel multiclass(Calibration calibration) {
        BundleManifest m = new BundleManifest("1.4", Task.MULTICLASS, "class", List.of("a", "b", "c"), null, null,
                SCHEMA, "linear", Map.of(), Map.of(), Map.of(), null, null, Map.of());
        return KilnModel.of(new Bundle(null, m, PIPELINE, new LinearEstimator(new double[][] {{1.0}, {0.0}, {-1.0}},
                new double[] {0, 0, 0}, Link.SOFTMAX), null, null, calibration));
    }

    private static Calibration platt(double a, double b, boolean applied) {
        return new Calibration(Calibration.PLATT, "held-out rows", 200,
                List.of(Calibration.ClassMap.platt("bad", a, b, 100, 100)), List.of(), applied);
    }

    @Test
    void binaryReturnsCalibratedProbabilitiesAndThresholdsThemWhileScoresStayRaw() {
        KilnModel model = binary(platt(1, -1, true), "1.4");
        double raw = 1 / (1 + Math.exp(-0.4));            // 0.599: "bad" by the 0.5 threshold
        double calibrated = 1 / (1 + Math.exp(-(0.4 - 1))); // 0.354: "good"
        Prediction p = model.predict(Map.of("x", 0.4));
        assertThat(model.calibrated()).isTrue();
        assertThat(p.probabilities().get("bad")).isCloseTo(calibrated, within(1e-9));
        assertThat(p.probabilities().get("good")).isCloseTo(1 - calibrated, within(1e-9));
        assertThat(p.prediction()).isEqualTo("good");
        assertThat(model.predictBatch(List.of(Map.of("x", 0.4), Map.of("x", 3.0))))
                .extracting(Prediction::prediction).containsExactly("good", "bad");
        assertThat(model.predictBatch(List.of(Map.of("x", 0.4))).get(0)).isEqualTo(p);
        // Raw scores stay reachable: score and scoreBatch are the estimator's own; calibrate maps them.
        double[] features = new double[1];
        model.encode(Map.of("x", 0.4), features);
        assertThat(model.score(features)[0]).isCloseTo(raw, within(1e-9));
        assertThat(model.scoreBatch(new double[][] {features})[0][0]).isCloseTo(raw, within(1e-9));
        assertThat(model.calibrate(model.score(features))[0]).isCloseTo(calibrated, within(1e-9));
        assertThat(model.decode(model.score(features))).isEqualTo(p);
    }

    @Test
    void aCalibrationNotAppliedLeavesPredictionsRawAsFormat13Did() {
        for (KilnModel model : List.of(binary(platt(1, -1, false), "1.3"), binary(null, "1.2"))) {
            Prediction p = model.predict(Map.of("x", 0.4));
            assertThat(model.calibrated()).isFalse();
            assertThat(p.probabilities().get("bad")).isCloseTo(1 / (1 + Math.exp(-0.4)), within(1e-12));
            assertThat(p.prediction()).isEqualTo("bad");
        }
    }

    @Test
    void rawProbabilitiesKeptByTheComparisonAreReturnedUnchanged() {
        Calibration kept = new Calibration(Calibration.IDENTITY, "held-out rows", 200,
                List.of(new Calibration.ClassMap("bad", Calibration.IDENTITY, null, null, 100, 100)), List.of(), true);
        KilnModel model = binary(kept, "1.4");
        assertThat(model.calibrated()).isFalse();
        assertThat(model.predict(Map.of("x", 0.4)).probabilities().get("bad"))
                .isCloseTo(1 / (1 + Math.exp(-0.4)), within(1e-12));
    }

    @Test
    void multiclassRenormalisesTheCalibratedClassesAndTakesTheArgMaxOfThem() {
        // Raw at x = 1: softmax(1, 0, -1) = (0.665, 0.245, 0.090): "a". Class a's map flattens it to 0.1.
        Calibration c = new Calibration(Calibration.ISOTONIC, "held-out rows", 300, List.of(
                new Calibration.ClassMap("a", Calibration.ISOTONIC, new double[] {0, 1}, new double[] {0.1, 0.1}, 100, 200),
                new Calibration.ClassMap("b", Calibration.ISOTONIC, new double[] {0, 1}, new double[] {0, 1}, 100, 200),
                new Calibration.ClassMap("c", Calibration.IDENTITY, null, null, 5, 295)), List.of(), true);
        KilnModel model = multiclass(c);
        double e = Math.E;
        double pb = 1 / (e + 1 + 1 / e);
        double pc = (1 / e) / (e + 1 + 1 / e);
        double sum = 0.1 + pb + pc;
        Prediction p = model.predict(Map.of("x", 1.0));
        assertThat(p.prediction()).isEqualTo("b");
        assertThat(p.probabilities().get("a")).isCloseTo(0.1 / sum, within(1e-9));
        assertThat(p.probabilities().get("b")).isCloseTo(pb / sum, within(1e-9));
        assertThat(p.probabilities().get("c")).isCloseTo(pc / sum, within(1e-9));
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1, within(1e-12));
        assertThat(multiclass(null).predict(Map.of("x", 1.0)).prediction()).isEqualTo("a");
    }
}
