package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm start: a GBDT bundle continued on new rows (XGBoost's training continuation). */
class WarmStartTest {
    @TempDir
    Path dir;

    @TempDir
    static Path shared;

    private static Path parent;

    @BeforeAll
    static void trainTheParent() throws Exception {
        Path old = write(shared.resolve("old.csv"), rows(3000, 1, false));
        TrainingReport r = Training.run(TrainOptions.defaults(old, "y", shared.resolve("parent"))
                .withAlgorithms(List.of("gbdt")), ProgressListener.NONE);
        parent = Path.of(r.bundle());
    }

    @Test
    void aGbdtBundleStoresItsXGBoostModelChecksummedLikeEveryFile() throws Exception {
        BundleManifest m = KilnModel.load(parent).manifest();
        byte[] model = Files.readAllBytes(parent.resolve(BundleWriter.XGBOOST_MODEL_FILE));
        assertThat(m.files()).containsEntry(BundleWriter.XGBOOST_MODEL_FILE, Checksums.sha256(model));
        assertThat(Json.mapper().readTree(model).path("learner").path("gradient_booster").path("name").asText())
                .isEqualTo("gbtree");
        assertThat(m.lineage().parent()).isNull();
        assertThat(Files.readString(parent.resolve(BundleManifest.MANIFEST_FILE))).doesNotContain("\"parent\"");
    }

    @Test
    void theWarmModelKeepsTheParentsTreesAddsNewOnesAndImprovesOnTheShiftedRows() throws Exception {
        Path fresh = write(dir.resolve("new.csv"), rows(1500, 2, true));
        TrainingReport warm = Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("warm"))
                .withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE);
        TrainingReport cold = Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("cold"))
                .withAlgorithms(List.of("gbdt")), ProgressListener.NONE);
        KilnModel p = KilnModel.load(parent);
        KilnModel w = KilnModel.load(Path.of(warm.bundle()));
        KilnModel c = KilnModel.load(Path.of(cold.bundle()));

        List<?> parentTrees = ((TreeEnsembleEstimator) p.bundle().estimator()).trees();
        List<?> warmTrees = ((TreeEnsembleEstimator) w.bundle().estimator()).trees();
        assertThat(warmTrees.size()).isGreaterThan(parentTrees.size());
        for (int t = 0; t < parentTrees.size(); t++) {
            assertThat(Json.mapper().writeValueAsString(warmTrees.get(t))).as("tree " + t)
                    .isEqualTo(Json.mapper().writeValueAsString(parentTrees.get(t)));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) w.manifest().extra().get("training_info");
        assertThat(((Number) info.get("parent_rounds")).intValue()).isEqualTo(parentTrees.size());
        assertThat(((Number) info.get("rounds_added")).intValue()).isEqualTo(warmTrees.size() - parentTrees.size());
        assertThat(Files.readString(Path.of(warm.bundle()).resolve(BundleManifest.PIPELINE_FILE)))
                .as("the parent's pipeline, reused as fitted")
                .isEqualTo(Files.readString(parent.resolve(BundleManifest.PIPELINE_FILE)));
        assertThat(Files.readAllBytes(Path.of(warm.bundle()).resolve(BundleWriter.XGBOOST_MODEL_FILE))).isNotEmpty();
        // The baseline is trained too, so the candidate is gated on lift like any other.
        assertThat(warm.leaderboard()).extracting(TrainingReport.Candidate::algorithm).containsExactly("baseline", "gbdt");
        assertThat(w.manifest().extra()).containsKey("baseline_metrics");

        List<Map<String, Object>> shifted = rows(2000, 3, true);
        double parentLoss = logLoss(p, shifted);
        double warmLoss = logLoss(w, shifted);
        double coldLoss = logLoss(c, shifted);
        // On this shift (parent 1.27, warm 0.30, cold 0.30 when written) the continued trees learn the new world.
        assertThat(warmLoss).as("log loss on new-distribution rows, warm vs parent %s", parentLoss).isLessThan(parentLoss * 0.5);
        assertThat(warmLoss).as("warm vs cold %s", coldLoss).isLessThan(coldLoss * 1.15);
    }

    @Test
    void onRowsLikeTheParentsTheWarmModelStaysCloseToIt() throws Exception {
        Path same = write(dir.resolve("same.csv"), rows(1500, 13, false));
        KilnModel p = KilnModel.load(parent);
        KilnModel w = KilnModel.load(Path.of(Training.run(TrainOptions.defaults(same, "y", dir.resolve("same-warm"))
                .withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE).bundle()));
        KilnModel c = KilnModel.load(Path.of(Training.run(TrainOptions.defaults(same, "y", dir.resolve("same-cold"))
                .withAlgorithms(List.of("gbdt")), ProgressListener.NONE).bundle()));
        List<Map<String, Object>> old = rows(2000, 14, false);
        double warmMoved = meanAbsDiff(w, p, old);
        double coldMoved = meanAbsDiff(c, p, old);
        // When written: warm moved P(pos) by 0.012 on average, a cold model trained on the same rows by 0.078.
        assertThat(warmMoved).as("mean |P(warm) - P(parent)| on old rows, cold %s", coldMoved).isLessThan(0.05)
                .isLessThan(coldMoved);
    }

    @Test
    void theLineageNamesTheParentAndItsBundle() throws Exception {
        Path fresh = write(dir.resolve("lineage.csv"), rows(800, 5, true));
        TrainingReport warm = Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("lineage"))
                .withWarmStart(new WarmStart(parent, "syn:1", 30)), ProgressListener.NONE);
        var lineage = KilnModel.load(Path.of(warm.bundle())).manifest().lineage();
        assertThat(lineage.parent().version()).isEqualTo("syn:1");
        assertThat(lineage.parent().bundleSha256()).isEqualTo(Checksums.sha256(parent.resolve(BundleManifest.MANIFEST_FILE)));
        assertThat(lineage.parameters()).containsEntry("warm_start_from", "syn:1").containsEntry("warm_start_rounds", 30);
        assertThat(lineage.datasetRows()).isEqualTo(800);
    }

    @Test
    void otherAlgorithmsAreNotTrainedAndSaySo() throws Exception {
        Path fresh = write(dir.resolve("algos.csv"), rows(600, 6, true));
        TrainingReport warm = Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("algos"))
                .withAlgorithms(List.of("linear", "gbdt", "forest")).withWarmStart(new WarmStart(parent, "syn:1", 5)),
                ProgressListener.NONE);
        assertThat(warm.leaderboard()).extracting(TrainingReport.Candidate::algorithm).containsExactly("baseline", "gbdt");
        assertThat(warm.notes()).anyMatch(n -> n.contains("not trained: linear, forest"));
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("linear-only"))
                .withAlgorithms(List.of("linear")).withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("does not include gbdt");
    }

    @Test
    void newDataWithoutTheParentsColumnsIsRefusedNamingThem() throws Exception {
        List<Map<String, Object>> rows = rows(300, 7, true);
        rows.forEach(r -> {
            r.remove("b");
            r.remove("colour");
        });
        Path fresh = write(dir.resolve("narrow.csv"), rows);
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("narrow"))
                .withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLUMN_MISSING))
                .hasMessageContaining("lacks 2 column(s) that syn:1 reads: b, colour");
        assertThat(Files.exists(dir.resolve("narrow"))).isFalse();
    }

    @Test
    void aClassTheParentNeverSawIsRefused() throws Exception {
        List<Map<String, Object>> rows = rows(300, 8, true);
        for (int i = 0; i < 30; i++) {
            rows.get(i).put("y", "unsure");
        }
        Path fresh = write(dir.resolve("classes.csv"), rows);
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("classes"))
                .withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_INVALID))
                .hasMessageContaining("[unsure]").hasMessageContaining("never saw");
    }

    @Test
    void theTargetAndPositiveClassMustBeTheParents() throws Exception {
        Path fresh = write(dir.resolve("target.csv"), rows(300, 9, true));
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "a", dir.resolve("t1"))
                .withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE))
                .hasMessageContaining("predicts 'y'");
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("t2"))
                .withCostMatrix(null, "neg").withWarmStart(new WarmStart(parent, "syn:1")), ProgressListener.NONE))
                .hasMessageContaining("positive class is 'neg'");
    }

    @Test
    void aNonGbdtParentIsRefused() throws Exception {
        Path old = write(dir.resolve("linear.csv"), rows(400, 10, false));
        Path linear = Path.of(Training.run(TrainOptions.defaults(old, "y", dir.resolve("linear"))
                .withAlgorithms(List.of("linear")), ProgressListener.NONE).bundle());
        assertThat(linear.resolve(BundleWriter.XGBOOST_MODEL_FILE)).doesNotExist();
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(old, "y", dir.resolve("from-linear"))
                .withWarmStart(new WarmStart(linear, "lin:2")), ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("cannot warm-start from lin:2: it is a 'linear' model");
    }

    @Test
    void aGbdtBundleWithoutItsXGBoostModelStillLoadsButCannotBeContinued() throws Exception {
        // What a GBDT bundle written before warm starts looks like: no XGBoost model, not listed in the manifest.
        Path older = dir.resolve("older");
        Files.createDirectories(older);
        for (String f : List.of(BundleManifest.PIPELINE_FILE, BundleManifest.ESTIMATOR_FILE, BundleManifest.PROFILE_FILE,
                BundleManifest.REFERENCE_SKETCH_FILE, BundleManifest.CALIBRATION_FILE)) {
            if (Files.exists(parent.resolve(f))) {
                Files.copy(parent.resolve(f), older.resolve(f));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = Json.mapper().readValue(parent.resolve(BundleManifest.MANIFEST_FILE).toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> files = new LinkedHashMap<>((Map<String, Object>) manifest.get("files"));
        files.remove(BundleWriter.XGBOOST_MODEL_FILE);
        manifest.put("files", files);
        Json.mapper().writeValue(older.resolve(BundleManifest.MANIFEST_FILE).toFile(), manifest);

        KilnModel model = KilnModel.load(older);
        Map<String, Object> row = rows(1, 11, false).get(0);
        row.remove("y");
        assertThat(model.predict(row).probabilities()).isEqualTo(KilnModel.load(parent).predict(row).probabilities());
        Path fresh = write(dir.resolve("older.csv"), rows(300, 12, true));
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("from-older"))
                .withWarmStart(new WarmStart(older, "syn:0")), ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("cannot warm-start from syn:0")
                .hasMessageContaining("train from scratch once");
    }

    @Test
    void aMulticlassParentKeepsItsClassesWhenTheNewRowsLackOne() throws Exception {
        Path weather = Path.of(WarmStartTest.class.getResource("/seattle-weather.csv").toURI());
        Path multi = Path.of(Training.run(TrainOptions.defaults(weather, "weather", dir.resolve("weather"))
                .withAlgorithms(List.of("gbdt")), ProgressListener.NONE).bundle());
        List<String> lines = Files.readAllLines(weather);
        List<String> withoutSnow = new ArrayList<>(lines.subList(0, 1));
        lines.subList(1, lines.size()).stream().filter(l -> !l.endsWith(",snow")).forEach(withoutSnow::add);
        assertThat(withoutSnow.size()).isLessThan(lines.size());
        Path noSnow = Files.write(dir.resolve("no-snow.csv"), withoutSnow);
        TrainingReport warm = Training.run(TrainOptions.defaults(noSnow, "weather", dir.resolve("weather-warm"))
                .withWarmStart(new WarmStart(multi, "weather:1", 20)), ProgressListener.NONE);
        KilnModel parentModel = KilnModel.load(multi);
        KilnModel w = KilnModel.load(Path.of(warm.bundle()));
        assertThat(w.classes()).containsExactlyElementsOf(parentModel.classes()).contains("snow");
        int parentTrees = ((TreeEnsembleEstimator) parentModel.bundle().estimator()).trees().size();
        int warmTrees = ((TreeEnsembleEstimator) w.bundle().estimator()).trees().size();
        assertThat((warmTrees - parentTrees) % 5).as("whole rounds of one tree per class").isZero();
        assertThat(warmTrees).isGreaterThanOrEqualTo(parentTrees);
    }

    @Test
    void aRegressionParentIsContinued() throws Exception {
        Path weather = Path.of(WarmStartTest.class.getResource("/seattle-weather.csv").toURI());
        Path regression = Path.of(Training.run(TrainOptions.defaults(weather, "temp_max", dir.resolve("temp"))
                .withAlgorithms(List.of("gbdt")).withSliceBy(List.of()), ProgressListener.NONE).bundle());
        TrainingReport warm = Training.run(TrainOptions.defaults(weather, "temp_max", dir.resolve("temp-warm"))
                .withWarmStart(new WarmStart(regression, "temp:1", 10)), ProgressListener.NONE);
        KilnModel w = KilnModel.load(Path.of(warm.bundle()));
        assertThat(w.manifest().task()).isEqualTo(dev.kiln.runtime.Task.REGRESSION);
        assertThat(w.manifest().lineage().parent().version()).isEqualTo("temp:1");
        double baseline = warm.leaderboard().get(0).testMetrics().get("rmse");
        assertThat(warm.leaderboard().get(1).testMetrics().get("rmse")).isLessThan(baseline);
    }

    @Test
    void aWarmStartNeedsABundleAndAtLeastOneRound() {
        assertThatThrownBy(() -> new WarmStart(null, "x:1")).isInstanceOf(KilnException.class).hasMessageContaining("bundle");
        assertThatThrownBy(() -> new WarmStart(parent, "x:1", 0)).isInstanceOf(KilnException.class)
                .hasMessageContaining("at least one round");
        assertThat(new WarmStart(parent, null).parentVersion()).isEqualTo(parent.toAbsolutePath().normalize().toString());
    }

    /**
     * Binary rows: {@code a}, {@code b} numbers, {@code colour} a category; {@code y} pos/neg. The shifted
     * distribution flips {@code b}'s effect and moves {@code a}'s, as a changed world would.
     */
    static List<Map<String, Object>> rows(int n, long seed, boolean shifted) {
        Random r = new Random(seed);
        String[] colours = {"red", "green", "blue"};
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian() + (shifted ? 0.5 : 0);
            double b = r.nextGaussian();
            int c = r.nextInt(3);
            double score = shifted
                    ? 1.0 * a + 1.2 * b + (c == 1 ? 0.9 : 0) - 0.8
                    : 1.2 * a - 0.8 * b + (c == 0 ? 0.7 : 0) - 0.8;
            score += r.nextGaussian() * 0.6;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("a", a);
            row.put("b", b);
            row.put("colour", colours[c]);
            row.put("y", score > 0 ? "pos" : "neg");
            rows.add(row);
        }
        return rows;
    }

    static Path write(Path file, List<Map<String, Object>> rows) throws Exception {
        StringBuilder sb = new StringBuilder(String.join(",", rows.get(0).keySet())).append('\n');
        for (Map<String, Object> row : rows) {
            sb.append(String.join(",", row.values().stream().map(String::valueOf).toList())).append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    private static double positive(KilnModel model, Map<String, Object> row) {
        Map<String, Object> input = new LinkedHashMap<>(row);
        input.remove("y");
        Prediction p = model.predict(input);
        return p.probabilities().get("pos");
    }

    private static double logLoss(KilnModel model, List<Map<String, Object>> rows) {
        double sum = 0;
        for (Map<String, Object> row : rows) {
            double p = Math.min(1 - 1e-12, Math.max(1e-12, positive(model, row)));
            sum -= "pos".equals(row.get("y")) ? Math.log(p) : Math.log(1 - p);
        }
        return sum / rows.size();
    }

    private static double meanAbsDiff(KilnModel x, KilnModel y, List<Map<String, Object>> rows) {
        double sum = 0;
        for (Map<String, Object> row : rows) {
            sum += Math.abs(positive(x, row) - positive(y, row));
        }
        return sum / rows.size();
    }
}
