package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.model.EnsembleEstimator;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ensemble estimators in bundles (format 1.4), loaded through the public {@link KilnModel#load}: the saved format 1.2
 * gradient-boosting bundle's trees blended with themselves and with a linear model score and explain as expected,
 * and an inconsistent ensemble is {@code bundle_corrupt} naming the member.
 */
class EnsembleBundleTest {
    @TempDir
    Path dir;

    private TreeEnsembleEstimator savedTrees() throws Exception {
        Path saved = Path.of(getClass().getResource("/bundles/format-1.2/credit-gbdt/manifest.json").toURI()).getParent();
        try (Stream<Path> files = Files.list(saved)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return (TreeEnsembleEstimator) KilnModel.load(saved).bundle().estimator();
    }

    private List<Map<String, Object>> expectedRows(List<String> probabilities) throws Exception {
        Path expected = Path.of(getClass().getResource("/bundles/format-1.2/credit-gbdt.expected.csv").toURI());
        List<String> lines = Files.readAllLines(expected);
        String[] header = lines.get(0).split(",", -1);
        int prediction = List.of(header).indexOf("prediction");
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Object> row = new HashMap<>();
            for (int j = 0; j < prediction; j++) {
                row.put(header[j], cells[j]);
            }
            rows.add(row);
            probabilities.add(cells[prediction + 2]);
        }
        return rows;
    }

    /** Rewrites estimator.json and the manifest (its checksum, format 1.4). */
    private void replaceEstimator(Estimator estimator) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(estimator);
        Files.write(dir.resolve(BundleManifest.ESTIMATOR_FILE), bytes);
        Path manifest = dir.resolve(BundleManifest.MANIFEST_FILE);
        BundleManifest m = Json.mapper().readValue(manifest.toFile(), BundleManifest.class);
        Map<String, String> files = new LinkedHashMap<>(m.files());
        files.put(BundleManifest.ESTIMATOR_FILE, Checksums.sha256(bytes));
        Files.write(manifest, Json.mapper().writeValueAsBytes(new BundleManifest(BundleManifest.FORMAT_VERSION, m.task(),
                m.target(), m.classes(), m.positiveClass(), m.decisionThreshold(), m.inputSchema(), "ensemble",
                m.hyperparameters(), m.validationMetrics(), m.testMetrics(), m.lineage(), m.extra(), files)));
    }

    @Test
    void theSavedTreesBlendedWithThemselvesPredictExactlyAsTheSavedBundle() throws Exception {
        TreeEnsembleEstimator trees = savedTrees();
        replaceEstimator(new EnsembleEstimator(trees.inputWidth(), List.of(new EnsembleEstimator.Member(0.5, trees),
                new EnsembleEstimator.Member(0.5, trees)), Link.LOGISTIC));
        KilnModel model = KilnModel.load(dir);
        assertThat(model.bundle().estimator()).isInstanceOf(EnsembleEstimator.class);
        List<String> bad = new java.util.ArrayList<>();
        List<Map<String, Object>> rows = expectedRows(bad);
        assertThat(rows).hasSizeGreaterThan(10);
        List<Prediction> batch = model.predictBatch(rows);
        for (int i = 0; i < rows.size(); i++) {
            // 0.5 m + 0.5 m == m exactly, so the saved probabilities are reproduced bit for bit
            assertThat(model.predict(rows.get(i)).probabilities().get("bad")).isEqualTo(Double.parseDouble(bad.get(i)));
            assertThat(batch.get(i).probabilities().get("bad")).isEqualTo(Double.parseDouble(bad.get(i)));
            Explanation e = model.explain(rows.get(i));
            assertThat(e.space()).isEqualTo("log_odds");
            // to 1e-6, as SavedBundlesTest: the trees' margins are accumulated in single precision, their SHAP in double
            assertThat(1 / (1 + Math.exp(-e.margin(0)))).isCloseTo(Double.parseDouble(bad.get(i)), Offset.offset(1e-6));
        }
    }

    @Test
    void treesAndALinearModelOnASelectionOfFeaturesScoreAndExplainAsTheirBlend() throws Exception {
        TreeEnsembleEstimator trees = savedTrees();
        int width = trees.inputWidth();
        int[] inputs = {3, 0, width - 1};
        var linear = new dev.kiln.runtime.model.LinearEstimator(new double[][] {{0.5, -0.25, 1.0}}, new double[] {-0.2},
                Link.LOGISTIC, new double[] {0.1, 0.2, 0.3});
        EnsembleEstimator ensemble = new EnsembleEstimator(width, List.of(new EnsembleEstimator.Member(0.7, trees),
                new EnsembleEstimator.Member(0.3, linear, inputs)), Link.LOGISTIC);
        replaceEstimator(ensemble);
        KilnModel model = KilnModel.load(dir);
        List<Map<String, Object>> rows = expectedRows(new java.util.ArrayList<>());
        for (Map<String, Object> row : rows) {
            double[] x = new double[width];
            model.encode(row, x);
            double[] tm = new double[1];
            trees.margins(x, tm);
            double lm = -0.2 + 0.5 * x[3] - 0.25 * x[0] + 1.0 * x[width - 1];
            double margin = 0.7 * tm[0] + 0.3 * lm;
            double p = model.predict(row).probabilities().get("bad");
            assertThat(p).isCloseTo(1 / (1 + Math.exp(-margin)), Offset.offset(1e-12));
            double[] direct = new double[1];
            ensemble.predict(x, direct);
            assertThat(p).isEqualTo(direct[0]);
            Explanation e = model.explain(row);
            assertThat(e.margin(0)).isCloseTo(margin, Offset.offset(1e-6));  // single-precision trees, as above
        }
    }

    @Test
    void anInconsistentEnsembleIsBundleCorruptNamingTheMember() throws Exception {
        TreeEnsembleEstimator trees = savedTrees();
        replaceEstimator(new EnsembleEstimator(trees.inputWidth(), List.of(new EnsembleEstimator.Member(0.5, trees),
                new EnsembleEstimator.Member(0.4, trees, new int[] {0})), Link.LOGISTIC));
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.BUNDLE_CORRUPT))
                .hasMessageContaining("estimator.json").hasMessageContaining("ensemble member 1");
        replaceEstimator(new EnsembleEstimator(trees.inputWidth(), List.of(new EnsembleEstimator.Member(0.5, trees),
                new EnsembleEstimator.Member(0.4, trees)), Link.LOGISTIC));
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.BUNDLE_CORRUPT))
                .hasMessageContaining("weights sum to 0.9");
    }
}
