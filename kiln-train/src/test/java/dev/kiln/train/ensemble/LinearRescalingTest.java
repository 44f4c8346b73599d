package dev.kiln.train.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.train.FeaturePipelineFitter;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * A linear model moved from the standardising pipeline to the unscaled one, both fitted by {@link FeaturePipelineFitter}
 * on a frame with numeric, integer and categorical columns and missing values: same outputs and contributions.
 */
class LinearRescalingTest {
    private static final List<String> COLUMNS = List.of("income", "age", "city", "flag");

    static DataFrame frame(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] income = new double[n];
        double[] age = new double[n];
        String[] city = new String[n];
        double[] flag = new double[n];
        String[] cities = {"oslo", "lima", "pune", "kobe"};
        for (int i = 0; i < n; i++) {
            income[i] = rnd.nextInt(7) == 0 ? Double.NaN : 20_000 + rnd.nextDouble() * 90_000;
            age[i] = rnd.nextInt(9) == 0 ? Double.NaN : 18 + rnd.nextInt(60);
            city[i] = rnd.nextInt(8) == 0 ? null : cities[rnd.nextInt(cities.length)];
            flag[i] = rnd.nextInt(2);
        }
        return new DataFrame(List.of(new NumericColumn("income", ColumnType.NUMERIC, income),
                new NumericColumn("age", ColumnType.INTEGER, age),
                new StringColumn("city", ColumnType.CATEGORICAL, city),
                new NumericColumn("flag", ColumnType.BOOLEAN, flag)), "mem", null);
    }

    @Test
    void givesTheSameOutputsAndContributionsOnTheUnscaledFeatures() {
        DataFrame train = frame(300, 1);
        FeaturePipeline scaled = FeaturePipelineFitter.fit(train, COLUMNS, FeaturePipelineFitter.Options.defaults(true)).pipeline();
        FeaturePipeline unscaled = FeaturePipelineFitter.fit(train, COLUMNS, FeaturePipelineFitter.Options.defaults(false)).pipeline();
        assertThat(scaled.featureNames()).isEqualTo(unscaled.featureNames());
        double[][] xs = FeaturePipelineFitter.encode(scaled, train);
        double[][] xu = FeaturePipelineFitter.encode(unscaled, train);
        int width = scaled.width();
        SplittableRandom rnd = new SplittableRandom(3);
        for (int outputs : new int[] {1, 3}) {
            double[][] w = new double[outputs][width];
            double[] b = new double[outputs];
            for (int k = 0; k < outputs; k++) {
                b[k] = rnd.nextDouble(-1, 1);
                for (int f = 0; f < width; f++) {
                    w[k][f] = rnd.nextDouble(-2, 2);
                }
            }
            double[] means = new double[width];
            for (double[] row : xs) {
                for (int f = 0; f < width; f++) {
                    means[f] += row[f] / xs.length;
                }
            }
            LinearEstimator model = new LinearEstimator(w, b, outputs == 1 ? Link.LOGISTIC : Link.SOFTMAX, means);
            LinearEstimator moved = LinearRescaling.toUnscaled(model, scaled, unscaled);
            moved.validate(width);
            assertThat(moved.link()).isEqualTo(model.link());
            DataFrame test = frame(100, 2);  // rows the pipelines did not see, missing values included
            double[][] ts = FeaturePipelineFitter.encode(scaled, test);
            double[][] tu = FeaturePipelineFitter.encode(unscaled, test);
            for (int i = 0; i < ts.length; i++) {
                double[] a = new double[outputs];
                double[] c = new double[outputs];
                model.margins(ts[i], a);
                moved.margins(tu[i], c);
                for (int k = 0; k < outputs; k++) {
                    assertThat(c[k]).isCloseTo(a[k], Offset.offset(1e-9 * (1 + Math.abs(a[k]))));
                }
                double[][] pa = new double[outputs][width + 1];
                double[][] pc = new double[outputs][width + 1];
                model.contributions(ts[i], pa);
                moved.contributions(tu[i], pc);
                for (int k = 0; k < outputs; k++) {
                    for (int f = 0; f <= width; f++) {
                        assertThat(pc[k][f]).as("output %d feature %d", k, f)
                                .isCloseTo(pa[k][f], Offset.offset(1e-9 * (1 + Math.abs(pa[k][f]))));
                    }
                }
            }
            // the training means themselves map onto the unscaled training means
            double[] unscaledMeans = new double[width];
            for (double[] row : xu) {
                for (int f = 0; f < width; f++) {
                    unscaledMeans[f] += row[f] / xu.length;
                }
            }
            for (int f = 0; f < width; f++) {
                assertThat(moved.featureMeans()[f]).isCloseTo(unscaledMeans[f], Offset.offset(1e-6 * (1 + Math.abs(unscaledMeans[f]))));
            }
        }
    }

    @Test
    void pipelinesThatDifferOtherThanByScalingAreRefusedNamingTheColumn() {
        DataFrame train = frame(300, 1);
        FeaturePipeline scaled = FeaturePipelineFitter.fit(train, COLUMNS, FeaturePipelineFitter.Options.defaults(true)).pipeline();
        LinearEstimator model = new LinearEstimator(new double[][] {new double[scaled.width()]}, new double[] {0}, Link.LOGISTIC);
        // other levels: the unscaled pipeline fitted on other rows keeps other cities or fills
        FeaturePipeline otherCities = FeaturePipelineFitter.fit(train, COLUMNS,
                new FeaturePipelineFitter.Options(false, 2, 2)).pipeline();
        assertThatThrownBy(() -> LinearRescaling.toUnscaled(model, scaled, otherCities)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        FeaturePipeline reordered = FeaturePipelineFitter.fit(train, List.of("age", "income", "city", "flag"),
                FeaturePipelineFitter.Options.defaults(false)).pipeline();
        assertThatThrownBy(() -> LinearRescaling.toUnscaled(model, scaled, reordered)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("'income'");
        FeaturePipeline otherFill = FeaturePipelineFitter.fit(frame(300, 9), COLUMNS,
                FeaturePipelineFitter.Options.defaults(false)).pipeline();
        assertThatThrownBy(() -> LinearRescaling.toUnscaled(model, scaled, otherFill)).isInstanceOf(KilnException.class)
                .hasMessageContaining("'income'").hasMessageContaining("imputed differently");
    }
}
