package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Calibration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training fits the chosen classifier's calibration on its out-of-fold outputs; the bundle carries and applies it. */
class TrainingCalibrationTest {
    @TempDir
    Path dir;

    @Test
    void aBinaryBundleCarriesItsCalibrationFittedOnOutOfFoldPredictionsAndAppliesIt() throws IOException {
        Path data = TrainingTest.synthetic(dir.resolve("b.csv"), 1500, 3);
        TrainingReport r = Training.run(TrainOptions.defaults(data, "y", dir.resolve("b")).withAlgorithms(List.of("gbdt")),
                ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        Calibration c = model.bundle().calibration();
        assertThat(c).isNotNull();
        assertThat(c.applied()).isTrue();
        assertThat(c.method()).isIn(Calibration.ISOTONIC, "platt", Calibration.IDENTITY);
        assertThat(c.rows()).as("every training row, out of fold").isEqualTo(r.validationRows()).isEqualTo(r.trainRows());
        assertThat(c.fittedOn()).isEqualTo("out-of-fold predictions");
        assertThat(model.manifest().files()).containsKey(BundleManifest.CALIBRATION_FILE);
        @SuppressWarnings("unchecked")
        Map<String, Object> recorded = (Map<String, Object>) model.manifest().extra().get("calibration");
        assertThat(recorded).containsEntry("method", c.method()).containsEntry("applied", true);
        assertThat(r.calibration()).isNotNull();
        assertThat(r.calibration().rows()).isEqualTo(r.trainRows());
        assertThat(r.calibration().eceBefore()).isBetween(0.0, 1.0);
        assertThat(r.calibration().eceAfter()).isBetween(0.0, 1.0);
        // What the model serves is the calibrated probability of its raw score.
        Map<String, Object> row = Map.of("a", 0.3, "b", -1.2, "colour", "red");
        double[] features = new double[model.bundle().pipeline().width()];
        model.encode(row, features);
        double raw = model.score(features)[0];
        double served = model.predict(row).probabilities().get(model.manifest().positiveClass());
        assertThat(served).isCloseTo(c.apply(new double[] {1 - raw, raw})[1], within(1e-12));
    }

    @Test
    void aMulticlassBundleHasOneMapPerClassAndARareClassKeepsItsRawProbability() throws IOException {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 1200; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            String y = r.nextDouble() < 0.005 ? "rare" : a + 0.5 * r.nextGaussian() > 0 ? "up" : b > 0 ? "left" : "right";
            sb.append(a).append(',').append(b).append(',').append(y).append('\n');
        }
        Path data = Files.writeString(dir.resolve("m.csv"), sb.toString());
        TrainingReport report = Training.run(TrainOptions.defaults(data, "y", dir.resolve("m")).withAlgorithms(List.of("linear")),
                ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(report.bundle()));
        Calibration c = model.bundle().calibration();
        assertThat(c.maps()).extracting(Calibration.ClassMap::className).containsExactlyElementsOf(model.manifest().classes());
        Calibration.ClassMap rare = c.maps().get(model.manifest().classes().indexOf("rare"));
        assertThat(rare.method()).as("few validation rows of 'rare'").isEqualTo(Calibration.IDENTITY);
        assertThat(c.notes()).anyMatch(n -> n.contains("'rare'"));
        assertThat(c.available()).isTrue();
    }

    @Test
    void aCalibrationThatIsNotMonotoneIsACorruptBundle() throws IOException {
        Path data = TrainingTest.synthetic(dir.resolve("c.csv"), 400, 4);
        TrainingReport r = Training.run(TrainOptions.defaults(data, "y", dir.resolve("c")).withAlgorithms(List.of("linear")),
                ProgressListener.NONE);
        Bundle b = KilnModel.load(Path.of(r.bundle())).bundle();
        Calibration bad = new Calibration(Calibration.ISOTONIC, "validation rows", 10, List.of(new Calibration.ClassMap(
                b.manifest().positiveClass(), Calibration.ISOTONIC, new double[] {0.1, 0.9}, new double[] {0.8, 0.2}, 5, 5)), List.of());
        Path out = BundleWriter.write(dir.resolve("bad"), b.manifest(), b.pipeline(), b.estimator(), b.referenceProfile(),
                b.referenceSketch(), bad, false);
        assertThatThrownBy(() -> KilnModel.load(out)).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BUNDLE_CORRUPT);
            assertThat(e.getMessage()).contains("calibration.json").contains("non-decreasing");
        });
        Path none = BundleWriter.write(dir.resolve("none"), b.manifest(), b.pipeline(), b.estimator(), b.referenceProfile(),
                b.referenceSketch(), false);
        assertThat(KilnModel.load(none).bundle().calibration()).as("calibration is optional").isNull();
    }
}
