package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link CalibrationFitter#fitApplied}: isotonic or Platt chosen by cross-validated log loss, or the raw kept. */
class CalibrationFitterAppliedTest {
    private static final List<String> BINARY = List.of("no", "yes");

    /** Rows with a model probability uniform in [0.02, 0.98] and a label drawn with probability {@code truth(p)}. */
    private static double[][] outputs(int n, long seed) {
        Random r = new Random(seed);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new double[] {0.02 + 0.96 * r.nextDouble()};
        }
        return out;
    }

    private static int[] labels(double[][] outputs, DoubleUnaryOperator truth, long seed) {
        Random r = new Random(seed + 1);
        int[] y = new int[outputs.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextDouble() < truth.applyAsDouble(outputs[i][0]) ? 1 : 0;
        }
        return y;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    @Test
    void aStepShapedMiscalibrationChoosesIsotonic() {
        double[][] out = outputs(2000, 1);
        int[] y = labels(out, p -> p < 0.5 ? 0.1 : 0.9, 1);
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 7);
        assertThat(o.report().method()).isEqualTo(Calibration.ISOTONIC);
        assertThat(o.report().cvLogLossIsotonic()).isLessThan(o.report().cvLogLossPlatt()).isLessThan(o.report().cvLogLossRaw());
        assertThat(o.calibration().method()).isEqualTo(Calibration.ISOTONIC);
        assertThat(o.calibration().applied()).isTrue();
        assertThat(o.calibration().fittedOn()).isEqualTo(CalibrationFitter.HELD_OUT);
        o.calibration().validate(BINARY);
        assertThat(o.report().eceAfter()).isLessThan(o.report().eceBefore());
        assertThat(o.calibration().apply(new double[] {0.7, 0.3})[1]).isCloseTo(0.1, within(0.05));
        assertThat(o.calibration().apply(new double[] {0.3, 0.7})[1]).isCloseTo(0.9, within(0.05));
    }

    @Test
    void aSigmoidShapedMiscalibrationOnFewRowsChoosesPlatt() {
        // An under-confident model: the truth is sigmoid(3 logit(p)). 80 rows: isotonic's steps follow the noise.
        double[][] out = outputs(80, 2);
        int[] y = labels(out, p -> sigmoid(3 * logit(p)), 2);
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 7);
        assertThat(o.report().method()).isEqualTo(Calibration.PLATT);
        assertThat(o.report().cvLogLossPlatt()).isLessThan(o.report().cvLogLossIsotonic()).isLessThan(o.report().cvLogLossRaw());
        assertThat(o.calibration().method()).isEqualTo(Calibration.PLATT);
        assertThat(o.calibration().applied()).isTrue();
        Calibration.ClassMap map = o.calibration().maps().get(0);
        assertThat(map.a()).as("the slope sharpens the under-confident model").isGreaterThan(1.5);
        o.calibration().validate(BINARY);
        assertThat(o.report().rows()).isEqualTo(80);
        assertThat(o.report().folds()).isEqualTo(5);
    }

    @Test
    void calibratedProbabilitiesAreKeptRawAndStillServeEstimation() {
        double[][] out = outputs(2000, 3);
        int[] y = labels(out, p -> p, 3);
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 7);
        assertThat(o.report().method()).isEqualTo(Calibration.NONE);
        assertThat(o.report().applied()).isFalse();
        assertThat(o.report().cvLogLossRaw()).isLessThanOrEqualTo(Math.min(o.report().cvLogLossIsotonic(), o.report().cvLogLossPlatt()));
        assertThat(o.report().eceAfter()).isEqualTo(o.report().eceBefore());
        assertThat(o.report().notes()).singleElement().asString().contains("kept as they are");
        assertThat(o.calibration().method()).isEqualTo(Calibration.IDENTITY);
        assertThat(o.calibration().transforms()).isFalse();
        assertThat(o.calibration().available()).isTrue();
        o.calibration().validate(BINARY);
    }

    @Test
    void tooFewRowsAreNotCalibratedAndSaySo() {
        double[][] out = outputs(30, 4);
        int[] y = labels(out, p -> p, 4);
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 7);
        assertThat(o.calibration().method()).isEqualTo(Calibration.NONE);
        assertThat(o.calibration().applied()).isFalse();
        assertThat(o.calibration().notes()).singleElement().asString().contains("only 30 held-out rows");
        assertThat(o.report().method()).isEqualTo(Calibration.NONE);
        assertThat(o.report().folds()).isZero();
        assertThat(o.report().cvLogLossRaw()).isNull();
        assertThat(o.report().notes()).isEqualTo(o.calibration().notes());
        assertThat(o.report().curveBefore()).isNotEmpty();

        int[] allNo = new int[100];
        allNo[0] = 1;
        CalibrationFitter.Outcome oneSided = CalibrationFitter.fitApplied(Task.BINARY, BINARY, outputs(100, 5), allNo, 7);
        assertThat(oneSided.calibration().applied()).isFalse();
        assertThat(oneSided.calibration().notes()).anyMatch(n -> n.contains("on each side"));
    }

    @Test
    void multiclassCalibratesOneVsRestAndRenormalises() {
        // An over-confident three-class model: its softmax of 3x the true logits.
        Random r = new Random(6);
        int n = 1500;
        double[][] out = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] z = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            double[] truth = softmax(z, 1);
            out[i] = softmax(z, 3);
            double u = r.nextDouble();
            y[i] = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
        }
        List<String> classes = List.of("a", "b", "c");
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.MULTICLASS, classes, out, y, 11);
        assertThat(o.report().applied()).isTrue();
        assertThat(o.report().curveOf()).isEqualTo("top_class");
        assertThat(o.calibration().maps()).hasSize(3);
        o.calibration().validate(classes);
        assertThat(o.report().eceAfter()).isLessThan(o.report().eceBefore());
        double[] q = o.calibration().apply(out[0]);
        assertThat(Arrays.stream(q).sum()).isCloseTo(1, within(1e-12));
    }

    @Test
    void theSameSeedGivesTheSameOutcomeAndTheReportIsSnakeCaseJson() throws Exception {
        double[][] out = outputs(300, 8);
        int[] y = labels(out, p -> sigmoid(2 * logit(p) + 0.5), 8);
        CalibrationFitter.Outcome a = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 42);
        CalibrationFitter.Outcome b = CalibrationFitter.fitApplied(Task.BINARY, BINARY, out, y, 42);
        assertThat(Json.mapper().writeValueAsString(a.report())).isEqualTo(Json.mapper().writeValueAsString(b.report()));
        assertThat(Json.mapper().writeValueAsString(a.calibration())).isEqualTo(Json.mapper().writeValueAsString(b.calibration()));
        JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsBytes(a.report()));
        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("method", "applied", "rows", "folds",
                "cv_log_loss_raw", "cv_log_loss_isotonic", "cv_log_loss_platt", "curve_of", "ece_before", "ece_after",
                "curve_before", "curve_after", "notes");
        assertThat(json.get("curve_before").get(0).fieldNames()).toIterable()
                .containsExactlyInAnyOrder("lower", "upper", "mean_predicted", "observed", "count");
        CalibrationReport back = Json.mapper().treeToValue(json, CalibrationReport.class);
        assertThat(back).isEqualTo(a.report());
        Calibration calibration = Json.mapper().readValue(Json.mapper().writeValueAsBytes(a.calibration()), Calibration.class);
        assertThat(calibration.applied()).isEqualTo(a.calibration().applied());
        assertThat(calibration.apply(new double[] {0.4, 0.6})).containsExactly(a.calibration().apply(new double[] {0.4, 0.6}));
    }

    private static double[] softmax(double[] z, double scale) {
        double[] e = new double[z.length];
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            e[k] = Math.exp(scale * z[k]);
            sum += e[k];
        }
        for (int k = 0; k < z.length; k++) {
            e[k] /= sum;
        }
        return e;
    }
}
