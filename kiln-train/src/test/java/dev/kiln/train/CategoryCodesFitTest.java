package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FeaturePipelineFitter.Options#withCategoricalCodes()}: one code feature per categorical column, and its use. */
class CategoryCodesFitTest {

    @Test
    void codesTheFrequentLevelsMostFrequentFirstAndLeavesDefaultsOneHot() {
        String[] c = {"b", "a", "b", null, "z", "b", "a", "q", "q"};
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        DataFrame frame = new DataFrame(List.of(new NumericColumn("x", ColumnType.NUMERIC, x),
                new StringColumn("c", ColumnType.CATEGORICAL, c)), "mem", null);
        var options = FeaturePipelineFitter.Options.defaults(false);
        assertThat(options.categoricalCodes()).as("one-hot stays the default").isFalse();
        var result = FeaturePipelineFitter.fit(frame, List.of("x", "c"), options.withCategoricalCodes());
        var codes = (FeatureTransform.CategoryCode) result.pipeline().transforms().get(1);
        assertThat(codes.levels()).containsExactly("b", "a", "q").as("'z' seen once is not coded");
        assertThat(result.notes()).anyMatch(n -> n.contains("'c': coded 3 of 4 levels"));
        double[][] encoded = FeaturePipelineFitter.encode(result.pipeline(), frame);
        assertThat(encoded[0][1]).isEqualTo(0.0);
        assertThat(encoded[1][1]).isEqualTo(1.0);
        assertThat(encoded[3][1]).as("missing").isNaN();
        assertThat(encoded[4][1]).as("below the count cap").isNaN();
        assertThat(FeaturePipelineFitter.categoricalFeatures(result.pipeline())).containsExactly(false, true);
        assertThat(FeaturePipelineFitter.categoricalFeatures(
                FeaturePipelineFitter.fit(frame, List.of("x", "c"), options).pipeline())).isNull();
    }

    @Test
    void capsTheCodedLevels() {
        String[] c = new String[600];
        for (int i = 0; i < c.length; i++) {
            c[i] = "L" + (i % 300);
        }
        DataFrame frame = new DataFrame(List.of(new StringColumn("c", ColumnType.CATEGORICAL, c)), "mem", null);
        var result = FeaturePipelineFitter.fit(frame, List.of("c"),
                FeaturePipelineFitter.Options.defaults(false).withCategoricalCodes());
        var codes = (FeatureTransform.CategoryCode) result.pipeline().transforms().get(0);
        assertThat(codes.levels()).hasSize(FeaturePipelineFitter.Options.DEFAULT_MAX_CODE_LEVELS);
    }

    @Test
    void aGbdtOnCodedColumnsSplitsOnCategoriesEndToEnd() {
        Random r = new Random(3);
        int n = 1200;
        String[] colour = new String[n];
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int level = r.nextInt(12);
            colour[i] = r.nextInt(20) == 0 ? null : "c" + level;
            x[i] = r.nextGaussian();
            y[i] = (colour[i] != null && level % 3 == 0) ^ (x[i] > 1) ? 1 : 0;
        }
        DataFrame frame = new DataFrame(List.of(new NumericColumn("x", ColumnType.NUMERIC, x),
                new StringColumn("colour", ColumnType.CATEGORICAL, colour)), "mem", null);
        var fit = FeaturePipelineFitter.fit(frame, List.of("x", "colour"),
                FeaturePipelineFitter.Options.defaults(false).withCategoricalCodes());
        double[][] encoded = FeaturePipelineFitter.encode(fit.pipeline(), frame);
        TrainingData data = new TrainingData(Task.BINARY, 2, fit.pipeline().featureNames(), encoded, y, null, null,
                FeaturePipelineFitter.categoricalFeatures(fit.pipeline()), null);
        TreeEnsembleEstimator e = (TreeEnsembleEstimator) new GbdtTrainer(3, 0.3, 30, 0, 1, Map.of()).fit(data, 1).estimator();
        assertThat(e.trees()).anyMatch(Tree::hasCategoricalSplits);
        double[] out = new double[1];
        int right = 0;
        for (int i = 0; i < n; i++) {
            e.predict(encoded[i], out);
            right += (out[0] > 0.5 ? 1 : 0) == y[i] ? 1 : 0;
        }
        assertThat(right).as("the category pattern is learnt").isGreaterThan(n * 95 / 100);
    }

    @Test
    void linearAndTreeTrainersRefuseCategoryCodesNamingTheFeature() {
        TrainingData data = new TrainingData(Task.BINARY, 2, List.of("x", "colour"),
                new double[][] {{0, 1}, {1, Double.NaN}}, new double[] {0, 1}, null, null, new boolean[] {false, true}, null);
        for (var trainer : List.of(new dev.kiln.train.linear.LinearTrainer(), new dev.kiln.train.cart.DecisionTreeTrainer())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer.fit(data, 1))
                    .isInstanceOf(dev.kiln.runtime.KilnException.class)
                    .hasMessageContaining("'colour'").hasMessageContaining(trainer.name());
        }
    }
}
