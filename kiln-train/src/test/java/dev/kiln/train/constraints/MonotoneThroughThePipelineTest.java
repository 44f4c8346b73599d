package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.train.FeaturePipelineFitter;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The whole path the lead wires: a pipeline fitted on a frame whose constrained column has missing values (so a
 * missing indicator follows it) after a one-hot column, the trainer made to honour {@code --monotone}, and the
 * prediction scanned over the raw column with the other inputs fixed.
 */
class MonotoneThroughThePipelineTest {
    private static final int N = 2000;

    /** price: y falls, then rises, then falls with it (a wave); city shifts y; 5% of prices missing. */
    private static DataFrame frame(double[] y) {
        SplittableRandom rnd = new SplittableRandom(9);
        String[] city = new String[N];
        double[] price = new double[N];
        double[] size = new double[N];
        for (int i = 0; i < N; i++) {
            city[i] = rnd.nextBoolean() ? "oslo" : "rome";
            price[i] = rnd.nextDouble(0, 100);
            size[i] = rnd.nextGaussian();
            y[i] = Math.sin(price[i] / 10) + size[i] + (city[i].equals("oslo") ? 0.5 : 0) + 0.1 * rnd.nextGaussian();
            if (rnd.nextDouble() < 0.05) {
                price[i] = Double.NaN;
            }
        }
        return new DataFrame(List.<DataColumn>of(new StringColumn("city", ColumnType.CATEGORICAL, city),
                new NumericColumn("price", ColumnType.NUMERIC, price), new NumericColumn("size", ColumnType.NUMERIC, size)),
                "test", null);
    }

    private static double largestRise(Estimator e, FeaturePipeline p) {
        double worst = 0;
        double[] x = new double[p.width()];
        double[] out = new double[1];
        for (String city : List.of("oslo", "rome")) {
            for (double size : new double[] {-1, 0, 1.5}) {
                double previous = Double.NaN;
                for (int g = 0; g <= 300; g++) {
                    p.transform(new Object[] {city, -10.0 + 120.0 * g / 300, size}, x);
                    e.predict(x, out);
                    if (!Double.isNaN(previous)) {
                        worst = Math.max(worst, out[0] - previous);
                    }
                    previous = out[0];
                }
            }
        }
        return worst;
    }

    @Test
    void gbdtAndLinearHonourADecreasingColumnBetweenOtherFeatures() {
        double[] y = new double[N];
        DataFrame frame = frame(y);
        Constraints c = Constraints.of(null, null, null, false, List.of("price=-1"));
        Map<String, ColumnType> types = Map.of("city", ColumnType.CATEGORICAL, "price", ColumnType.NUMERIC,
                "size", ColumnType.NUMERIC, "y", ColumnType.NUMERIC);
        ConstraintsCheck.check(c, types, "y", List.of(), Task.REGRESSION, List.of("linear", "gbdt"), false);
        for (Trainer plain : List.of(new GbdtTrainer(), new LinearTrainer())) {
            FeaturePipeline pipeline = FeaturePipelineFitter.fit(frame, List.of("city", "price", "size"),
                    FeaturePipelineFitter.Options.defaults(plain.needsScaling())).pipeline();
            assertThat(pipeline.featureNames()).contains("price", "price__missing");
            double[][] x = FeaturePipelineFitter.encode(pipeline, frame);
            TrainingData data = new TrainingData(Task.REGRESSION, 0, pipeline.featureNames(),
                    java.util.Arrays.copyOfRange(x, 0, 1500), java.util.Arrays.copyOfRange(y, 0, 1500),
                    java.util.Arrays.copyOfRange(x, 1500, N), java.util.Arrays.copyOfRange(y, 1500, N));
            if (plain instanceof GbdtTrainer) {
                assertThat(largestRise(plain.fit(data, 1).estimator(), pipeline)).as("unconstrained gbdt rises")
                        .isGreaterThan(0.1);
            }
            Trainer honouring = Monotone.honouring(plain, c.monotone(), pipeline);
            var model = honouring.fit(data, 1);
            assertThat(largestRise(model.estimator(), pipeline)).as(plain.name()).isZero();
            assertThat(CandidateFacts.of(plain.name(), 0, true, 1, 1, 1, model.hyperparameters(), c).honoursMonotone())
                    .isTrue();
        }
    }
}
