package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XGBoostJsonConverterTest {
    /**
     * A hand-written XGBoost 3.0 JSON model: one tree whose nodes are numbered out of pre-order (the root's
     * left child is node 2). Root: x0 < 0.5 (missing left) to node 2, else leaf 1 (0.3). Node 2:
     * x1 < 1.5 (missing right) to leaf 3 (-0.2), else leaf 4 (0.1).
     */
    private static String model(String objective, String baseScore, String numClass, String splitType, String categoriesNodes) {
        return """
                {"learner":{"attributes":{},"feature_names":[],"feature_types":[],
                 "gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"1"},
                   "iteration_indptr":[0,1],"tree_info":[0],
                   "trees":[{"base_weights":[1E0,3E0,2E0,-2E0,1E0],"categories":[],"categories_nodes":CATNODES,
                     "categories_segments":[],"categories_sizes":[],"default_left":[1,0,0,0,0],"id":0,
                     "left_children":[2,-1,3,-1,-1],"right_children":[1,-1,4,-1,-1],
                     "loss_changes":[1E0,0E0,5E-1,0E0,0E0],"parents":[2147483647,0,0,2,2],
                     "split_conditions":[5E-1,3E-1,1.5E0,-2E-1,1E-1],"split_indices":[0,0,1,0,0],
                     "split_type":SPLITTYPE,"sum_hessian":[4E0,1E0,3E0,2E0,1E0],
                     "tree_param":{"num_deleted":"0","num_feature":"2","num_nodes":"5","size_leaf_vector":"1"}}]},
                   "name":"gbtree"},
                 "learner_model_param":{"base_score":"BASE","boost_from_average":"1","num_class":"NCLASS",
                   "num_feature":"2","num_target":"1"},
                 "objective":{"name":"OBJECTIVE","reg_loss_param":{"scale_pos_weight":"1"}}},
                 "version":[3,0,4]}
                """.replace("OBJECTIVE", objective).replace("BASE", baseScore).replace("NCLASS", numClass)
                .replace("SPLITTYPE", splitType).replace("CATNODES", categoriesNodes);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] binary(String baseScore) {
        return bytes(model("binary:logistic", baseScore, "0", "[0,0,0,0,0]", "[]"));
    }

    private static double sigmoid(double m) {
        return 1.0 / (1.0 + Math.exp(-m));
    }

    @Test
    void convertsAHandWrittenBinaryModel() {
        TreeEnsembleEstimator e = XGBoostJsonConverter.convert(binary("5E-1"), 2);
        assertThat(e.link()).isEqualTo(Link.LOGISTIC);
        assertThat(e.base()).containsExactly(0.0);
        assertThat(e.scale()).isEqualTo(1.0);
        Tree t = e.trees().get(0);
        assertThat(t.nodeCount()).isEqualTo(5);
        for (int i = 0; i < t.nodeCount(); i++) {
            if (t.left()[i] >= 0) {
                assertThat(t.left()[i]).isGreaterThan(i);
                assertThat(t.right()[i]).isGreaterThan(i);
            }
        }
        double[] out = new double[1];
        e.predict(new double[] {0.0, 1.0}, out);
        assertThat(out[0]).isCloseTo(sigmoid(-0.2f), within(1e-15));
        e.predict(new double[] {0.0, 1.5}, out); // 1.5 is not < 1.5: right
        assertThat(out[0]).isCloseTo(sigmoid(0.1f), within(1e-15));
        e.predict(new double[] {0.5, 0.0}, out);
        assertThat(out[0]).isCloseTo(sigmoid(0.3f), within(1e-15));
        e.predict(new double[] {Double.NaN, Double.NaN}, out); // missing: left at the root, right at node 2
        assertThat(out[0]).isCloseTo(sigmoid(0.1f), within(1e-15));
        e.predict(new double[] {0.49999999999, -3.0}, out); // rounds to 0.5f: not < 0.5, like XGBoost
        assertThat(out[0]).isCloseTo(sigmoid(0.3f), within(1e-15));
    }

    @Test
    void baseScoreIsAProbabilityForLogisticAndAMarginOtherwise() {
        assertThat(XGBoostJsonConverter.convert(binary("[2.5E-1]"), 2).base()[0])
                .isCloseTo(-Math.log(3.0), within(1e-6));
        TreeEnsembleEstimator reg = XGBoostJsonConverter.convert(
                bytes(model("reg:squarederror", "1.25E0", "0", "[0,0,0,0,0]", "[]")), 2);
        assertThat(reg.link()).isEqualTo(Link.IDENTITY);
        assertThat(reg.base()).containsExactly(1.25);
        TreeEnsembleEstimator multi = XGBoostJsonConverter.convert(
                bytes(model("multi:softprob", "5E-1", "3", "[0,0,0,0,0]", "[]")), 4);
        assertThat(multi.link()).isEqualTo(Link.SOFTMAX);
        assertThat(multi.outputs()).isEqualTo(3);
        assertThat(multi.base()).containsExactly(0.5, 0.5, 0.5);
        assertThat(multi.inputWidth()).isEqualTo(4);
    }

    @Test
    void rejectsGarbageWithAClearMessage() {
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes("this is not json"), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an XGBoost JSON model");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(new byte[0], 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes("[1,2,3]"), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an XGBoost JSON model");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes("{\"version\":[3,0,4]}"), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing 'learner'");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes("{\"learner\":{\"objective\":{\"name\":\"binary:logistic\"}}}"), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing 'gradient_booster'");
        String truncated = model("binary:logistic", "5E-1", "0", "[0,0,0,0,0]", "[]").replace("\"split_conditions\"", "\"renamed\"");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(truncated), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split_conditions");
    }

    @Test
    void rejectsWhatKilnCannotScore() {
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(model("reg:gamma", "1E0", "0", "[0,0,0,0,0]", "[]")), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported XGBoost objective 'reg:gamma'");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(model("binary:logistic", "5E-1", "0", "[0,0,1,0,0]", "[2]")), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("categorical");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(model("binary:logistic", "5E-1", "0", "[1,0,0,0,0]", "[]")), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("categorical");
        // Since bundle format 1.4 categorical splits convert: node 2 (x1) sends codes 1 and 4 right.
        String categorical = model("binary:logistic", "5E-1", "0", "[0,0,1,0,0]", "[2]")
                .replace("\"categories\":[]", "\"categories\":[4,1]")
                .replace("\"categories_segments\":[]", "\"categories_segments\":[0]")
                .replace("\"categories_sizes\":[]", "\"categories_sizes\":[2]");
        var converted = XGBoostJsonConverter.convert(bytes(categorical), 2);
        assertThat(converted.trees().get(0).rightCategories()[1]).containsExactly(1, 4);
        assertThat(converted.trees().get(0).rightCategories()[0]).isNull();
        String dart = model("binary:logistic", "5E-1", "0", "[0,0,0,0,0]", "[]").replace("\"name\":\"gbtree\"", "\"name\":\"dart\"");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(dart), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dart");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(binary("5E-1"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained on 2 features");
        String vector = model("binary:logistic", "5E-1", "0", "[0,0,0,0,0]", "[]").replace("\"size_leaf_vector\":\"1\"", "\"size_leaf_vector\":\"3\"");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(vector), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector leaves");
        String cycle = model("binary:logistic", "5E-1", "0", "[0,0,0,0,0]", "[]").replace("\"left_children\":[2,-1,3,-1,-1]", "\"left_children\":[2,-1,0,-1,-1]");
        assertThatThrownBy(() -> XGBoostJsonConverter.convert(bytes(cycle), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a tree");
    }
}
