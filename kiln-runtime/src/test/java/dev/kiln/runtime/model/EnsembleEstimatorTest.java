package dev.kiln.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.Json;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** {@link EnsembleEstimator} against numbers worked out by hand, its JSON form, and what {@code validate} refuses. */
class EnsembleEstimatorTest {
    private static final Offset<Double> EXACT = Offset.offset(1e-12);

    /** margin 0.1 + x0 - 2 x1 + 0.5 x2; training feature means 0. */
    static LinearEstimator linear() {
        return new LinearEstimator(new double[][] {{1.0, -2.0, 0.5}}, new double[] {0.1}, Link.LOGISTIC,
                new double[] {0, 0, 0});
    }

    /** A stump on its feature 1: below 0.5 adds -1, else +2; base margin 0.2; both leaves reached by one training row. */
    static TreeEnsembleEstimator stump() {
        Tree tree = new Tree(0, 1, new int[] {1, 0, 0}, new float[] {0.5f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, -1, 2}, new double[] {2, 1, 1});
        return new TreeEnsembleEstimator(2, new double[] {0.2}, 1.0, Link.LOGISTIC, List.of(tree));
    }

    /** The linear model on all three features (weight 1/4), the stump reading features 2 and 0 (weight 3/4). */
    static EnsembleEstimator binary() {
        return new EnsembleEstimator(3, List.of(new EnsembleEstimator.Member(0.25, linear()),
                new EnsembleEstimator.Member(0.75, stump(), new int[] {2, 0})), Link.LOGISTIC);
    }

    @Test
    void scoresTheWeightedBlendOfTheMembersMarginsThroughTheLink() {
        EnsembleEstimator e = binary();
        e.validate(3);
        double[] x = {0.8, 1.0, 0.3};
        // linear: 0.1 + 0.8 - 2 + 0.15 = -0.95; stump: its feature 1 is x[0] = 0.8 >= 0.5 -> 0.2 + 2 = 2.2
        double margin = 0.25 * -0.95 + 0.75 * 2.2;
        double[] m = new double[1];
        e.margins(x, m);
        assertThat(m[0]).isCloseTo(margin, EXACT);
        double[] p = new double[1];
        e.predict(x, p);
        assertThat(p[0]).isCloseTo(1 / (1 + Math.exp(-margin)), EXACT);
        double[][] batch = new double[2][1];
        e.predictBatch(new double[][] {x, {0.1, 0, 0}}, batch);
        assertThat(batch[0][0]).isEqualTo(p[0]);
        // second row: linear 0.2; stump reads x[0] = 0.1 < 0.5 -> 0.2 - 1
        assertThat(batch[1][0]).isCloseTo(1 / (1 + Math.exp(-(0.25 * 0.2 + 0.75 * -0.8))), EXACT);
        double[] scored = new double[1];
        EnsembleScorer.of(e).predict(x, scored);
        assertThat(scored[0]).isEqualTo(p[0]);
    }

    @Test
    void contributionsAreTheWeightedMembersMappedBackThroughTheirInputs() {
        EnsembleEstimator e = binary();
        double[] x = {0.8, 1.0, 0.3};
        double[][] phi = new double[1][4];
        e.contributions(x, phi);
        // linear phi = w (x - 0) = {0.8, -2, 0.15}, base 0.1; stump: E = 0.5, phi(its feature 1 = x[0]) = 1.5, base 0.7
        assertThat(phi[0][0]).isCloseTo(0.25 * 0.8 + 0.75 * 1.5, EXACT);
        assertThat(phi[0][1]).isCloseTo(0.25 * -2, EXACT);
        assertThat(phi[0][2]).isCloseTo(0.25 * 0.15, EXACT);
        assertThat(phi[0][3]).isCloseTo(0.25 * 0.1 + 0.75 * 0.7, EXACT);
        double[] m = new double[1];
        e.margins(x, m);
        assertThat(phi[0][0] + phi[0][1] + phi[0][2] + phi[0][3]).isCloseTo(m[0], EXACT);
        double[][] prepared = new double[1][4];
        Contributions.of(e).compute(x, prepared);
        assertThat(prepared[0]).containsExactly(phi[0]);
    }

    @Test
    void multiclassAndRegressionContributionsSumToTheMargins() {
        double[][] w = {{1, 0, -1}, {0.5, 0.5, 0}, {-1, 2, 0.25}};
        LinearEstimator soft = new LinearEstimator(w, new double[] {0.1, 0.2, -0.3}, Link.SOFTMAX, new double[] {0.5, 0, 1});
        Tree tree = new Tree(0, 3, new int[] {0, 0, 0}, new float[] {0.0f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, 0, 0, 1, -1, 0.5, -2, 0.3, 0.1}, new double[] {4, 3, 1});
        TreeEnsembleEstimator trees = new TreeEnsembleEstimator(1, new double[] {0.5, 0.5, 0.5}, 1.0, Link.SOFTMAX, List.of(tree));
        EnsembleEstimator multi = new EnsembleEstimator(3, List.of(new EnsembleEstimator.Member(0.6, soft),
                new EnsembleEstimator.Member(0.4, trees, new int[] {1})), Link.SOFTMAX);
        multi.validate(3);
        assertSumsToMargins(multi, new double[] {0.3, 0.7, -1.5});
        assertSumsToMargins(multi, new double[] {-0.3, -0.7, 2});
        double[] p = new double[3];
        multi.predict(new double[] {0.3, 0.7, -1.5}, p);
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, EXACT);

        LinearEstimator reg = new LinearEstimator(new double[][] {{2, -1}}, new double[] {3}, Link.IDENTITY, new double[] {1, 1});
        ConstantEstimator mean = new ConstantEstimator(2, new double[] {10});
        EnsembleEstimator regression = new EnsembleEstimator(2, List.of(new EnsembleEstimator.Member(0.5, reg),
                new EnsembleEstimator.Member(0.5, mean)), Link.IDENTITY);
        regression.validate(2);
        double[] out = new double[1];
        regression.predict(new double[] {1.5, -2}, out);
        assertThat(out[0]).isCloseTo(0.5 * (3 + 3 + 2) + 0.5 * 10, EXACT);
        assertSumsToMargins(regression, new double[] {1.5, -2});
    }

    static void assertSumsToMargins(EnsembleEstimator e, double[] x) {
        int width = x.length;
        double[][] phi = new double[e.outputs()][width + 1];
        e.contributions(x, phi);
        double[] m = new double[e.outputs()];
        e.margins(x, m);
        for (int k = 0; k < m.length; k++) {
            double sum = 0;
            for (double v : phi[k]) {
                sum += v;
            }
            assertThat(sum).as("output " + k).isCloseTo(m[k], Offset.offset(1e-9 * (1 + Math.abs(m[k]))));
        }
    }

    @Test
    void roundTripsThroughJsonWithItsKindAndScoresTheSame() throws Exception {
        EnsembleEstimator e = binary();
        String json = Json.mapper().writeValueAsString(e);
        assertThat(json).contains("\"kind\" : \"ensemble\"").contains("\"kind\" : \"tree_ensemble\"")
                .contains("\"kind\" : \"linear\"").contains("\"inputs\"");
        Estimator back = Json.mapper().readValue(json, Estimator.class);
        assertThat(back).isInstanceOf(EnsembleEstimator.class);
        back.validate(3);
        EnsembleEstimator read = (EnsembleEstimator) back;
        assertThat(read.members()).hasSize(2);
        assertThat(read.members().get(0).inputs()).isNull();
        assertThat(read.members().get(1).inputs()).containsExactly(2, 0);
        double[] x = {0.8, 1.0, 0.3};
        double[] a = new double[1];
        double[] b = new double[1];
        e.predict(x, a);
        back.predict(x, b);
        assertThat(b[0]).isEqualTo(a[0]);
        double[][] pa = new double[1][4];
        double[][] pb = new double[1][4];
        e.contributions(x, pa);
        back.contributions(x, pb);
        assertThat(pb[0]).containsExactly(pa[0]);
    }

    @Test
    void validateNamesTheMemberAndTheProblem() {
        EnsembleEstimator.Member lin = new EnsembleEstimator.Member(0.5, linear());
        assertInvalid(new EnsembleEstimator(3, List.of(), Link.LOGISTIC), "no members");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.4, linear())), Link.LOGISTIC),
                "sum to 0.9");
        assertInvalid(new EnsembleEstimator(3, List.of(new EnsembleEstimator.Member(1.5, linear()),
                new EnsembleEstimator.Member(-0.5, linear())), Link.LOGISTIC), "member 1", "weight -0.5");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(Double.NaN, linear())),
                Link.LOGISTIC), "member 1", "NaN");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.5, binary())), Link.LOGISTIC),
                "member 1", "do not nest");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.5, stump(), new int[] {0, 3})),
                Link.LOGISTIC), "member 1", "reads feature 3");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.5, stump(), new int[] {0})),
                Link.LOGISTIC), "member 1", "expects 2 features");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.5, new LinearEstimator(
                new double[][] {{1, 1, 1}}, new double[] {0}, Link.IDENTITY))), Link.LOGISTIC), "member 1", "link IDENTITY");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, new EnsembleEstimator.Member(0.5, new LinearEstimator(
                new double[][] {{1, 1, 1}, {1, 1, 1}}, new double[] {0, 0}, Link.LOGISTIC))), Link.LOGISTIC),
                "member 1", "2 outputs");
        assertInvalid(new EnsembleEstimator(3, java.util.Arrays.asList(lin, null), Link.LOGISTIC), "member 1", "no estimator");
        assertInvalid(new EnsembleEstimator(3, List.of(lin, lin), null), "no link");
        assertThatThrownBy(() -> binary().validate(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expects 3 features, the pipeline makes 4");
    }

    private static void assertInvalid(EnsembleEstimator e, String... parts) {
        assertThatThrownBy(() -> e.validate(3)).isInstanceOf(IllegalStateException.class)
                .satisfies(ex -> assertThat(ex.getMessage()).contains(parts));
    }

    @Test
    void explainableOnlyWhenEveryMemberIs() {
        LinearEstimator noMeans = new LinearEstimator(new double[][] {{1, 1, 1}}, new double[] {0}, Link.LOGISTIC);
        EnsembleEstimator e = new EnsembleEstimator(3, List.of(new EnsembleEstimator.Member(0.5, linear()),
                new EnsembleEstimator.Member(0.5, noMeans)), Link.LOGISTIC);
        e.validate(3);
        assertThat(e.explainable()).isFalse();
        assertThat(binary().explainable()).isTrue();
        assertThatThrownBy(() -> e.contributions(new double[3], new double[1][4]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("member 1");
    }

    @Test
    void theConvenienceConstructorTakesTheWidthOfAWholeVectorMember() {
        assertThat(new EnsembleEstimator(List.of(new EnsembleEstimator.Member(0.75, stump(), new int[] {2, 0}),
                new EnsembleEstimator.Member(0.25, linear())), Link.LOGISTIC).inputWidth()).isEqualTo(3);
    }
}
