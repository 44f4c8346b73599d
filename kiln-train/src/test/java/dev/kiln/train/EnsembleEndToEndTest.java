package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.EnsembleEstimator;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.train.ensemble.EnsembleFitter;
import dev.kiln.train.ensemble.LinearRescaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole ensemble path on real data (Seattle weather): gbdt on the unscaled pipeline, a linear model on the scaled
 * one moved onto the unscaled features, weights chosen by ensemble selection on their validation margins, the bundle
 * written by {@link BundleWriter} and loaded by the runtime's {@link KilnModel}, which scores and explains it exactly
 * as the in-memory estimator does.
 */
class EnsembleEndToEndTest {
    private static final List<String> FEATURES = List.of("precipitation", "temp_max", "temp_min", "wind");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Task.class, names = {"BINARY", "MULTICLASS"}, mode = Mode.INCLUDE)
    void gbdtAndLinearBlendedWriteLoadScoreAndExplain(Task task) throws Exception {
        DataFrame all = DataReader.read(Path.of(getClass().getResource("/seattle-weather.csv").toURI()));
        int n = all.rowCount();
        DataFrame train = all.select(IntStream.range(0, n).filter(i -> i % 5 >= 2).toArray());
        DataFrame valid = all.select(IntStream.range(0, n).filter(i -> i % 5 == 0).toArray());
        DataFrame test = all.select(IntStream.range(0, n).filter(i -> i % 5 == 1).toArray());
        List<String> classes = task == Task.BINARY ? List.of("other", "rain")
                : new ArrayList<>(new TreeSet<>(values(all, "weather")));
        double[] yTrain = labels(train, classes, task);
        double[] yValid = labels(valid, classes, task);

        var unscaledFit = FeaturePipelineFitter.fit(train, FEATURES, FeaturePipelineFitter.Options.defaults(false));
        FeaturePipeline unscaled = unscaledFit.pipeline();
        FeaturePipeline scaled = FeaturePipelineFitter.fit(train, FEATURES, FeaturePipelineFitter.Options.defaults(true)).pipeline();
        double[][] xu = FeaturePipelineFitter.encode(unscaled, train);
        double[][] vu = FeaturePipelineFitter.encode(unscaled, valid);
        double[][] xs = FeaturePipelineFitter.encode(scaled, train);
        double[][] vs = FeaturePipelineFitter.encode(scaled, valid);
        int k = classes.size();
        Estimator gbdt = Trainers.byName("gbdt").fit(new TrainingData(task, k, unscaled.featureNames(), xu, yTrain, vu, yValid), 1)
                .estimator();
        LinearEstimator linearScaled = (LinearEstimator) Trainers.byName("linear")
                .fit(new TrainingData(task, k, scaled.featureNames(), xs, yTrain, vs, yValid), 1).estimator();
        LinearEstimator linear = LinearRescaling.toUnscaled(linearScaled, scaled, unscaled);

        List<Estimator> members = List.of(gbdt, linear);
        List<double[][]> margins = List.of(EnsembleFitter.margins(gbdt, vu), EnsembleFitter.margins(linear, vu));
        EnsembleFitter.Result fitted = EnsembleFitter.fit(task, k, margins, yValid, EnsembleFitter.DEFAULT_MAX_ROUNDS);
        assertThat(fitted.weights()).hasSize(2);
        double outputs = margins.get(0)[0].length;
        for (double[][] m : margins) {
            assertThat(fitted.score()).isLessThanOrEqualTo(lossOf(task, m, yValid));
        }
        EnsembleEstimator ensemble = EnsembleFitter.estimator(unscaled.width(), members, null, fitted.weights());
        assertThat(ensemble.members()).isNotEmpty();
        assertThat(outputs).isEqualTo(task == Task.BINARY ? 1 : k);

        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, task, "weather", classes,
                task == Task.BINARY ? "rain" : null, task == Task.BINARY ? 0.5 : null, unscaledFit.inputSchema(), "ensemble",
                Map.of("weights", fitted.weights()), Map.of(), Map.of(), null, null, Map.of());
        Path bundle = BundleWriter.write(dir.resolve(task.wireName()), manifest, unscaled, ensemble, null, false);
        KilnModel model = KilnModel.load(bundle);
        assertThat(model.bundle().estimator()).isInstanceOf(EnsembleEstimator.class);
        assertThat(model.explainable()).isTrue();

        double[][] tx = FeaturePipelineFitter.encode(unscaled, test);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < test.rowCount(); i++) {
            Map<String, Object> row = new HashMap<>(test.row(i));
            rows.add(row);
        }
        List<Prediction> batch = model.predictBatch(rows);
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = new double[ensemble.outputs()];
            ensemble.predict(tx[i], expected);
            Prediction p = model.predict(rows.get(i));
            double positive = task == Task.BINARY ? p.probabilities().get("rain") : p.probabilities().get(classes.get(0));
            assertThat(positive).isEqualTo(expected[0]);
            assertThat(batch.get(i).probabilities()).isEqualTo(p.probabilities());

            Explanation e = model.explain(rows.get(i));
            double[][] phi = new double[ensemble.outputs()][unscaled.width() + 1];
            ensemble.contributions(tx[i], phi);
            double[] m = new double[ensemble.outputs()];
            ensemble.margins(tx[i], m);
            for (int o = 0; o < m.length; o++) {
                // the trees' margins are single precision, their contributions double: equal to float rounding
                assertThat(e.margin(o)).isCloseTo(m[o], Offset.offset(1e-5 * (1 + Math.abs(m[o]))));
                assertThat(e.base(o)).isCloseTo(phi[o][unscaled.width()], Offset.offset(1e-12));
            }
        }
        Map<String, Object> importance = ChosenModelAnalyses.importance(model.manifest(), unscaled, ensemble, vu);
        assertThat(importance).isNotNull();
        assertThat(importance.get("space")).isEqualTo(task == Task.BINARY ? "log_odds" : "softmax_margin");
        assertThat(new ArrayList<Object>(((Map<?, ?>) importance.get("columns")).keySet())).containsExactlyInAnyOrderElementsOf(FEATURES);
    }

    private static List<String> values(DataFrame frame, String column) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < frame.rowCount(); i++) {
            out.add(String.valueOf(frame.column(column).value(i)));
        }
        return out;
    }

    private static double[] labels(DataFrame frame, List<String> classes, Task task) {
        List<String> v = values(frame, "weather");
        double[] y = new double[v.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = task == Task.BINARY ? (v.get(i).equals("rain") ? 1 : 0) : classes.indexOf(v.get(i));
        }
        return y;
    }

    private static double lossOf(Task task, double[][] margins, double[] y) {
        return EnsembleFitter.fit(task, margins[0].length == 1 ? 2 : margins[0].length, List.<double[][]>of(margins), y, 1).score();
    }
}
