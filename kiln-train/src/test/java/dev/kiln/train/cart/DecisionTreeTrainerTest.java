package dev.kiln.train.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DecisionTreeTrainerTest {
    private static TrainingData data(Task task, int classes, double[][] x, double[] y) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < x[0].length; j++) {
            names.add("f" + j);
        }
        return new TrainingData(task, classes, names, x, y, new double[0][], new double[0]);
    }

    private static TreeEnsembleEstimator estimator(TrainedModel model, int width) {
        TreeEnsembleEstimator e = (TreeEnsembleEstimator) model.estimator();
        e.validate(width);
        assertThat(e.trees()).hasSize(1);
        assertThat(e.link()).isEqualTo(Link.IDENTITY);
        assertThat(e.scale()).isEqualTo(1.0);
        return e;
    }

    @Test
    void learnsAnAxisAlignedRule() {
        Lcg g = new Lcg(1);
        int n = 500;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = g.next();
            x[i][1] = g.next();
            y[i] = x[i][1] > 0.3 ? 1 : 0;
        }
        TrainedModel model = new DecisionTreeTrainer().fit(data(Task.BINARY, 2, x, y), 5L);
        TreeEnsembleEstimator e = estimator(model, 2);
        Tree tree = e.trees().get(0);
        assertThat(tree.nodeCount()).isEqualTo(3); // one split, two pure leaves
        assertThat(tree.feature()[0]).isEqualTo(1);
        assertThat(tree.threshold()[0]).isBetween(0.25f, 0.35f);
        assertThat(tree.leafWidth()).isEqualTo(1);
        double[] out = new double[1];
        for (int i = 0; i < n; i++) {
            e.predict(x[i], out);
            assertThat(out[0]).isEqualTo(y[i]);
        }
        assertThat(model.trainingInfo()).containsEntry("seed", 5L).containsEntry("leaves", 2).containsEntry("depth", 1);
        assertThat(model.hyperparameters()).containsEntry("max_depth", 8).containsEntry("min_samples_leaf", 5);
    }

    @Test
    void runtimeRoutingEqualsTrainingPartitionEvenWhereDoublesShareAFloat() {
        // Values 1 + i * 1e-9 are distinct doubles, but many round to the same float: a split between two
        // of those cannot be expressed as a float threshold and must be skipped, or routing would disagree.
        Lcg g = new Lcg(2);
        int n = 3000;
        double[][] x = new double[n][3];
        double[] yClass = new double[n];
        double[] yReg = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 1.0 + Math.floor(g.next() * 1000) * 1e-9;
            x[i][1] = g.next() * 1e-3;
            x[i][2] = Math.floor(g.next() * 7);
            yClass[i] = (x[i][0] > 1.0000005 ? 1 : 0) + (x[i][2] > 3 ? 1 : 0);
            yReg[i] = x[i][0] * 1e6 + x[i][1] * 1e3 + g.next();
        }
        for (TrainingData d : List.of(data(Task.MULTICLASS, 3, x, yClass), data(Task.REGRESSION, 0, x, yReg),
                data(Task.BINARY, 2, x, Arrays.stream(yClass).map(v -> v > 0 ? 1 : 0).toArray()))) {
            DecisionTreeTrainer trainer = new DecisionTreeTrainer(10, 1, 0.0);
            TreeBuilder.Grown grown = trainer.grow(d);
            grown.tree().validate(3, d.outputs());
            assertThat(grown.tree().nodeCount()).isGreaterThan(7);
            for (int i = 0; i < n; i++) {
                assertThat(grown.tree().leafIndex(x[i])).as("row %d", i).isEqualTo(grown.leafOfRow()[i]);
            }
        }
    }

    @Test
    void matchesScikitLearnClassifier() {
        // Reference: scikit-learn 1.2.1 DecisionTreeClassifier(max_depth=3) (min_samples_leaf=1) on
        // (/work/scratch/ref/ref.py, "tree"): g = Lcg(314); x_j = 5u (j < 3); c = 0 if x0 < 2 else
        // (1 if x1 < 2.7 else 2); with probability 0.15 (u < .15) c = floor(3 u''). The same tree came out for
        // random_state 0..19, so no tied splits interfere.
        Lcg g = new Lcg(314);
        int n = 150;
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = g.next() * 5;
            }
            double u = g.next();
            int c = x[i][0] < 2.0 ? 0 : (x[i][1] < 2.7 ? 1 : 2);
            if (u < 0.15) {
                c = (int) (g.next() * 3);
            }
            y[i] = c;
        }
        DecisionTreeTrainer trainer = new DecisionTreeTrainer(3, 1, 0.0);
        TrainingData d = data(Task.MULTICLASS, 3, x, y);
        TreeEnsembleEstimator e = estimator(trainer.fit(d, 0L), 3);
        assertThat(e.trees().get(0).leafWidth()).isEqualTo(3);

        String sklearnPredictions = "12202022110112012111100002120221022010010200220200011102001112222200222010"
                + "2221122112202112221000000100201012211101110002110121102221101200002111121112";
        double checksum = 0; // sum of proba[i][c] * (i + 1) * (c + 1), as computed on sklearn's predict_proba
        int correct = 0;
        StringBuilder predictions = new StringBuilder();
        double[] out = new double[3];
        for (int i = 0; i < n; i++) {
            e.predict(x[i], out);
            int argmax = 0;
            for (int c = 0; c < 3; c++) {
                checksum += out[c] * (i + 1) * (c + 1);
                argmax = out[c] > out[argmax] ? c : argmax;
            }
            predictions.append(argmax);
            correct += argmax == y[i] ? 1 : 0;
        }
        assertThat(predictions.toString()).isEqualTo(sklearnPredictions);
        assertThat((double) correct / n).isCloseTo(0.9266666666666666, within(1e-12));
        assertThat(checksum).isCloseTo(22795.89726443769, within(1e-9));

        // Leaf class counts (sklearn tree_.value of the leaves, sorted).
        TreeBuilder.Grown grown = trainer.grow(d);
        Map<Integer, int[]> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.computeIfAbsent(grown.leafOfRow()[i], k -> new int[3])[(int) y[i]]++;
        }
        List<String> leaves = counts.values().stream().map(Arrays::toString).sorted().toList();
        assertThat(leaves).containsExactly("[0, 0, 1]", "[0, 0, 1]", "[0, 1, 6]", "[1, 0, 39]", "[1, 1, 0]",
                "[2, 48, 2]", "[43, 3, 1]");
    }

    @Test
    void matchesScikitLearnRegressor() {
        // Reference: scikit-learn 1.2.1 DecisionTreeRegressor(max_depth=3, min_samples_leaf=5) on
        // (/work/scratch/ref/ref.py, "tree regression"): g = Lcg(77); x_j = 5u (j < 2);
        // y = (3 if x0 < 2.5 else -1) + x1 + (u' - 0.5). Same tree for random_state 0..19.
        Lcg g = new Lcg(77);
        int n = 120;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = g.next() * 5;
            x[i][1] = g.next() * 5;
            y[i] = (x[i][0] < 2.5 ? 3.0 : -1.0) + x[i][1] + (g.next() - 0.5);
        }
        TrainedModel model = new DecisionTreeTrainer(3, 5, 0.0).fit(data(Task.REGRESSION, 0, x, y), 0L);
        TreeEnsembleEstimator e = estimator(model, 2);
        double checksum = 0; // sum of prediction_i * (i + 1)
        double[] out = new double[1];
        for (int i = 0; i < n; i++) {
            e.predict(x[i], out);
            checksum += out[0] * (i + 1);
        }
        assertThat(checksum).isCloseTo(24131.19105043143, within(1e-8));
        assertThat(model.trainingInfo()).containsEntry("leaves", 8);
        Tree tree = e.trees().get(0);
        double[] leafValues = java.util.stream.IntStream.range(0, tree.nodeCount()).filter(i -> tree.left()[i] < 0)
                .mapToDouble(i -> tree.leafValues()[i]).sorted().toArray();
        assertThat(leafValues).containsExactly(new double[] {-0.49074472962306326, 0.9207578760042692,
                2.3977937611319007, 3.593456990041618, 3.6451083937465283, 5.100419478629494, 6.055893720739414,
                7.565286338041014}, within(1e-12));
    }

    @Test
    void respectsStoppingRules() {
        Lcg g = new Lcg(4);
        int n = 400;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = g.next();
            x[i][1] = g.next();
            y[i] = g.next() < x[i][0] ? 1 : 0;
        }
        TrainingData d = data(Task.BINARY, 2, x, y);
        // A huge required decrease: the root stays a leaf holding P(class 1).
        Tree stump = new DecisionTreeTrainer(8, 5, 1.0).grow(d).tree();
        assertThat(stump.nodeCount()).isEqualTo(1);
        assertThat(stump.leafValues()[0]).isCloseTo(Arrays.stream(y).sum() / n, within(1e-15));

        TreeBuilder.Grown grown = new DecisionTreeTrainer(4, 20, 0.0).grow(d);
        assertThat(grown.depth()).isLessThanOrEqualTo(4);
        int[] sizes = new int[grown.tree().nodeCount()];
        for (int leaf : grown.leafOfRow()) {
            sizes[leaf]++;
        }
        for (int i = 0; i < sizes.length; i++) {
            if (grown.tree().left()[i] < 0) {
                assertThat(sizes[i]).isGreaterThanOrEqualTo(20);
            }
        }
        // Children always follow their parent (breadth-first numbering), as Tree.validate requires.
        grown.tree().validate(2, 1);
    }

    @Test
    void equalGainSplitsPreferTheLowestFeatureThenThreshold() {
        // Features 0 and 1 are identical, so every split ties; feature 0 must win. Labels 0,0,1,1,0,0 make
        // the splits after row 2 and after row 4 tie too: the lower threshold (1.5) wins.
        double[][] x = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}};
        double[] y = {0, 0, 1, 1, 0, 0};
        Tree tree = new DecisionTreeTrainer(1, 1, 0.0).grow(data(Task.BINARY, 2, x, y)).tree();
        assertThat(tree.feature()[0]).isEqualTo(0);
        assertThat(tree.threshold()[0]).isEqualTo(1.5f);
    }

    @Test
    void fittingIsDeterministic() {
        Lcg g = new Lcg(9);
        int n = 20000; // large enough for the parallel feature search
        double[][] x = new double[n][4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = g.next();
            }
            y[i] = Math.sin(6 * x[i][0]) + x[i][1] * x[i][2] + 0.1 * g.next();
        }
        TrainingData d = data(Task.REGRESSION, 0, x, y);
        Tree a = new DecisionTreeTrainer().grow(d).tree();
        Tree b = new DecisionTreeTrainer().grow(d).tree();
        assertThat(a.threshold()).isEqualTo(b.threshold());
        assertThat(a.feature()).isEqualTo(b.feature());
        assertThat(a.leafValues()).isEqualTo(b.leafValues());
    }

    @Test
    void describesItself() {
        DecisionTreeTrainer t = new DecisionTreeTrainer();
        assertThat(t.name()).isEqualTo("tree");
        assertThat(t.needsScaling()).isFalse();
        assertThat(t.maxDepth()).isEqualTo(8);
        assertThat(t.minSamplesLeaf()).isEqualTo(5);
        assertThat(t.minImpurityDecrease()).isEqualTo(0.0);
    }
}
