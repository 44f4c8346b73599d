package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gbdt variants a run adds by itself: native categorical splits when the data has categorical columns, balanced
 * class weights when a class is rare; and the ensemble over members on different pipelines, as the runtime serves it.
 */
class TrainingVariantsTest {
    @TempDir
    Path dir;

    /** 40 cities (more than one-hot's 30 levels), a rare positive class, missing values. */
    private Path data(int rows) throws Exception {
        Random r = new Random(7);
        double[] cityEffect = new double[40];
        for (int c = 0; c < 40; c++) {
            cityEffect[c] = r.nextGaussian() * 1.5;
        }
        StringBuilder sb = new StringBuilder("x,city,y\n");
        for (int i = 0; i < rows; i++) {
            double x = r.nextGaussian();
            int city = r.nextInt(40);
            double score = x + cityEffect[city] - 2.5 + r.nextGaussian() * 0.5;
            sb.append(r.nextDouble() < 0.05 ? "" : Double.toString(x)).append(',')
                    .append(r.nextDouble() < 0.05 ? "" : "city" + city).append(',').append(score > 0 ? "churn" : "stay").append('\n');
        }
        return Files.writeString(dir.resolve("d.csv"), sb.toString());
    }

    @Test
    void aGbdtIsAlsoTriedWithNativeCategoricalSplitsAndBalancedWeightsAndTheEnsembleServesAsItScored() throws Exception {
        Path data = data(1500);
        TrainingReport r = Training.run(TrainOptions.defaults(data, "y", dir.resolve("m"))
                .withAlgorithms(List.of("linear", "gbdt", "gbdt_native", "gbdt_balanced", "ensemble")).withTuning(new Tuning(Duration.ofSeconds(4), null, null, null)),
                ProgressListener.NONE);
        assertThat(r.leaderboard()).extracting(TrainingReport.Candidate::algorithm)
                .containsExactly("baseline", "linear", "gbdt", "gbdt_native", "gbdt_balanced", "ensemble");
        TrainingReport.Candidate nativeGbdt = r.leaderboard().get(3);
        TrainingReport.Candidate oneHot = r.leaderboard().get(2);
        assertThat(nativeGbdt.validationMetrics().get("roc_auc"))
                .as("40 cities: codes keep the 10 that one-hot lumps together").isGreaterThan(oneHot.validationMetrics().get("roc_auc") - 0.02);
        assertThat(r.search()).extracting(TrainingReport.Search::algorithm).contains("gbdt_native", "gbdt_balanced");

        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        Prediction p = model.predict(Map.of("x", 0.4, "city", "city3"));
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        Prediction unseen = model.predict(Map.of("x", 0.4, "city", "atlantis"));
        assertThat(unseen.prediction()).isIn("churn", "stay");
        if (model.explainable()) {
            Explanation e = model.explain(Map.of("x", 0.4, "city", "city3"));
            assertThat(e).isNotNull();
        }
    }
}

