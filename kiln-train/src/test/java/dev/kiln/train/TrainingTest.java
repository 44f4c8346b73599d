package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.CostMatrix;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
    @TempDir
    Path dir;

    private static Path seattle() throws URISyntaxException {
        return Path.of(TrainingTest.class.getResource("/seattle-weather.csv").toURI());
    }

    @Test
    void multiclassWithATimeSplitKeepsTheLatestRowsForTesting() throws Exception {
        TrainOptions o = new TrainOptions(seattle(), "weather", null, null, "date", 0.25, 0.2, 1,
                List.of("linear", "gbdt", "ensemble"), List.of(), null, null, dir.resolve("weather"), false);
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        assertThat(r.task()).isEqualTo(Task.MULTICLASS);
        assertThat(r.split()).isEqualTo("time");
        assertThat(r.classes()).containsExactly("drizzle", "fog", "rain", "snow", "sun");
        assertThat(r.testRows()).isEqualTo(365);
        assertThat(r.leaderboard()).extracting(TrainingReport.Candidate::algorithm)
                .containsExactly("baseline", "linear", "gbdt", "ensemble");
        assertThat(r.validation().kind()).as("a time split validates forward-chaining").isEqualTo("forward_chaining");
        TrainingReport.Candidate chosen = r.leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst().orElseThrow();
        TrainingReport.Candidate baseline = r.leaderboard().get(0);
        assertThat(chosen.validationMetrics().get("log_loss")).isLessThan(baseline.validationMetrics().get("log_loss"));
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        assertThat(model.manifest().lineage().split()).isEqualTo("time");
        Prediction p = model.predict(Map.of("date", "2016-01-10", "precipitation", 12.0, "temp_max", 8.0, "temp_min", 3.0, "wind", 5.0));
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(model.featureNames()).contains("date.month", "date.day_of_year");
    }

    @Test
    void theReportSaysWhereTheTimeWentPhaseByPhase() throws Exception {
        TrainOptions o = TrainOptions.defaults(seattle(), "weather", dir.resolve("timed"))
                .withAlgorithms(List.of("linear", "gbdt")).withTuning(new Tuning(null, null, null, 3, 2));
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        TrainingReport.Timings t = r.timings();
        assertThat(t.fit()).containsOnlyKeys("baseline", "linear", "gbdt");
        assertThat(t.fit().values()).allMatch(ms -> ms >= 0);
        assertThat(List.of(t.read(), t.profile(), t.targetAndSplits(), t.encode(), t.ensembleAndCalibration(), t.evaluate(),
                t.bundle())).allMatch(ms -> ms >= 0);
        assertThat(t.outsideFits() + t.fits()).isLessThanOrEqualTo(t.total());
        Map<String, Object> json = Json.mapper().convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<>() { });
        assertThat(Json.mapper().convertValue(json.get("timings_ms"), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { })).containsOnlyKeys("read", "profile", "target_and_splits", "encode",
                "fit", "ensemble_and_calibration", "evaluate", "bundle", "total");
    }

    @Test
    void regressionIsInferredForANumericTargetAndBeatsTheMean() throws Exception {
        TrainOptions o = TrainOptions.defaults(seattle(), "temp_max", dir.resolve("temp")).withAlgorithms(List.of("linear", "tree", "forest", "gbdt"));
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        assertThat(r.task()).isEqualTo(Task.REGRESSION);
        assertThat(r.split()).isEqualTo("random");
        double baselineRmse = r.leaderboard().get(0).testMetrics().get("rmse");
        for (TrainingReport.Candidate c : r.leaderboard().subList(1, r.leaderboard().size())) {
            assertThat(c.testMetrics().get("rmse")).as(c.algorithm()).isLessThan(baselineRmse);
            assertThat(c.testMetrics().get("r2")).as(c.algorithm()).isGreaterThan(0.5);
        }
        assertThat(KilnModel.load(Path.of(r.bundle())).task()).isEqualTo(Task.REGRESSION);
    }

    @Test
    void theSameSeedGivesTheSameModel() throws Exception {
        Path data = synthetic(dir.resolve("s.csv"), 600, 3);
        // A search bounded by its configurations, not the clock: the same on any machine.
        Tuning ample = new Tuning(null, null, null, 3, 6);
        List<String> algorithms = List.of("linear", "tree", "forest", "gbdt", "ensemble");
        TrainOptions a = TrainOptions.defaults(data, "y", dir.resolve("a")).withAlgorithms(algorithms).withTuning(ample);
        TrainOptions b = TrainOptions.defaults(data, "y", dir.resolve("b")).withAlgorithms(algorithms).withTuning(ample);
        TrainingReport ra = Training.run(a, ProgressListener.NONE);
        TrainingReport rb = Training.run(b, ProgressListener.NONE);
        assertThat(ra.chosen()).isEqualTo(rb.chosen());
        assertThat(Files.readString(dir.resolve("a/estimator.json"))).isEqualTo(Files.readString(dir.resolve("b/estimator.json")));
        assertThat(Files.readString(dir.resolve("a/pipeline.json"))).isEqualTo(Files.readString(dir.resolve("b/pipeline.json")));
        for (int i = 0; i < ra.leaderboard().size(); i++) {
            assertThat(ra.leaderboard().get(i).testMetrics()).isEqualTo(rb.leaderboard().get(i).testMetrics());
        }
        TrainingReport.Search gbdt = ra.search().stream().filter(s -> s.algorithm().equals("gbdt")).findFirst().orElseThrow();
        assertThat(gbdt.trials().stream().map(dev.kiln.train.search.Trial::id).distinct().count())
                .as("--configurations 6").isEqualTo(6);
        assertThat(gbdt.notes()).noneMatch(n -> n.contains("budget"));
    }

    @Test
    void costMatrixSetsTheBundlesDecisionThreshold() throws Exception {
        Path data = synthetic(dir.resolve("c.csv"), 800, 4);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("cost")).withAlgorithms(List.of("linear"))
                .withCostMatrix(new CostMatrix(1, 5), "pos");
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        assertThat(r.positiveClass()).isEqualTo("pos");
        assertThat(r.business()).isNotNull();
        assertThat(r.business().threshold()).isLessThan(0.5);
        assertThat(r.business().costPer1000()).isLessThan(r.business().baselineCostPer1000());
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        assertThat(model.decisionThreshold()).isEqualTo(r.business().threshold());
        assertThat(model.classes()).containsExactly("neg", "pos");
    }

    @Test
    void withACostMatrixEveryCandidateAndTheBaselineReportTheirCostPer1000AsATestMetric() throws Exception {
        Path data = synthetic(dir.resolve("c.csv"), 800, 4);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("cost")).withAlgorithms(List.of("linear", "tree"))
                .withCostMatrix(new CostMatrix(1, 5), "pos");
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        for (TrainingReport.Candidate c : r.leaderboard()) {
            assertThat(c.testMetrics()).as(c.algorithm()).containsKey(BusinessCost.COST_PER_1000);
        }
        TrainingReport.Candidate chosen = r.leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst().orElseThrow();
        assertThat(chosen.testMetrics().get(BusinessCost.COST_PER_1000)).isEqualTo(r.business().costPer1000());
        assertThat(r.leaderboard().get(0).testMetrics().get(BusinessCost.COST_PER_1000)).isEqualTo(r.business().baselineCostPer1000());
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        assertThat(model.manifest().testMetrics().get(BusinessCost.COST_PER_1000)).isEqualTo(r.business().costPer1000());
        @SuppressWarnings("unchecked")
        Map<String, Object> baseline = (Map<String, Object>) model.manifest().extra().get("baseline_metrics");
        assertThat(((Map<?, ?>) baseline.get("test")).get(BusinessCost.COST_PER_1000)).isEqualTo(r.business().baselineCostPer1000());
        assertThat(dev.kiln.train.eval.Metrics.lowerIsBetter(BusinessCost.COST_PER_1000)).isTrue();

        TrainingReport without = Training.run(TrainOptions.defaults(data, "y", dir.resolve("plain")).withAlgorithms(List.of("linear")),
                ProgressListener.NONE);
        assertThat(without.leaderboard().get(1).testMetrics()).doesNotContainKey(BusinessCost.COST_PER_1000);
    }

    @Test
    void theBundleCarriesSketchesOfItsInputsOnTrainingRowsAndOfItsOutputOnHeldOutRows() throws Exception {
        Path data = synthetic(dir.resolve("r.csv"), 500, 6);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("ref")).withAlgorithms(List.of("linear"))
                .withCostMatrix(new CostMatrix(1, 5), "pos");
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        dev.kiln.runtime.bundle.ReferenceSketch sketch = model.bundle().referenceSketch();
        assertThat(sketch).isNotNull();
        assertThat(model.manifest().formatVersion()).isEqualTo(BundleManifest.FORMAT_VERSION);
        assertThat(model.explainable()).as("a linear bundle carries its feature means").isTrue();
        @SuppressWarnings("unchecked")
        Map<String, Object> importance = (Map<String, Object>) model.manifest().extra().get("feature_importance");
        assertThat(importance.get("space")).isEqualTo("log_odds");
        assertThat(((Number) importance.get("rows")).intValue()).isEqualTo((int) Math.min(r.trainRows(), 1000));
        @SuppressWarnings("unchecked")
        Map<String, Number> byColumn = (Map<String, Number>) importance.get("columns");
        assertThat(byColumn.keySet()).containsExactlyInAnyOrderElementsOf(model.bundle().pipeline().inputColumns());
        assertThat(byColumn.values()).allMatch(v -> v.doubleValue() >= 0).anyMatch(v -> v.doubleValue() > 0);
        assertThat(model.manifest().files()).containsKey("reference_sketch.json");
        assertThat(sketch.features().names()).containsExactlyElementsOf(model.bundle().pipeline().inputColumns());
        assertThat(sketch.features().rows()).isEqualTo(r.trainRows());
        var prediction = sketch.outputs().column(dev.kiln.runtime.bundle.ReferenceSketch.PREDICTION);
        assertThat(prediction.count()).isEqualTo(r.validationRows() + r.testRows());
        assertThat(prediction.quantiles().min()).isGreaterThanOrEqualTo(0.0);
        assertThat(prediction.quantiles().max()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void refusesToOverwriteAnExistingBundleUnlessAsked() throws Exception {
        Path data = synthetic(dir.resolve("o.csv"), 200, 5);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("out")).withAlgorithms(List.of("linear"));
        Training.run(o, ProgressListener.NONE);
        assertThatThrownBy(() -> Training.run(o, ProgressListener.NONE))
                .isInstanceOf(KilnException.class).hasMessageContaining("already exists")
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void lineageRecordsDatasetVersionParametersAndSeed() throws Exception {
        Path data = synthetic(dir.resolve("l.csv"), 300, 6);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("l")).withAlgorithms(List.of("tree"));
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        var manifest = Json.mapper().readTree(dir.resolve("l/manifest.json").toFile());
        var lineage = manifest.get("lineage");
        assertThat(lineage.get("datasetSha256").asText()).isEqualTo(dev.kiln.data.DatasetVersion.sha256(data));
        assertThat(lineage.get("seed").asLong()).isEqualTo(42);
        assertThat(lineage.get("datasetRows").asLong()).isEqualTo(300);
        assertThat(lineage.get("parameters").get("target").asText()).isEqualTo("y");
        assertThat(lineage.get("kilnVersion").asText()).isNotBlank();
        assertThat(manifest.get("files").fieldNames()).toIterable().contains("pipeline.json", "estimator.json", "profile.json");
        assertThat(r.leaderboard().get(1).hyperparameters()).containsKey("max_depth");
        var reference = KilnModel.load(dir.resolve("l")).bundle().referenceProfile();
        assertThat(reference.rows()).as("reference profile covers the training rows only").isEqualTo(r.trainRows());
        assertThat(reference.sha256()).isEqualTo(lineage.get("datasetSha256").asText());
    }

    /** Two informative numeric columns, a categorical one with a few levels, some missing values. */
    @Test
    void slicesEvaluateTheChosenModelOnEachGroupOfTestRowsAndTheBundleKeepsThem() throws Exception {
        Path data = synthetic(dir.resolve("sl.csv"), 800, 9);
        TrainOptions o = TrainOptions.defaults(data, "y", dir.resolve("sliced")).withAlgorithms(List.of("linear"))
                .withSliceBy(List.of("colour", "a"));
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        assertThat(r.slices()).extracting(dev.kiln.train.eval.Slices.Column::column).containsExactly("colour", "a");
        dev.kiln.train.eval.Slices.Column colour = r.slices().get(0);
        assertThat(colour.groups()).extracting(dev.kiln.train.eval.Slices.Group::value).contains("red", "green", "blue");
        assertThat(colour.groups().stream().mapToInt(dev.kiln.train.eval.Slices.Group::rows).sum()).isEqualTo((int) r.testRows());
        assertThat(colour.gaps()).containsKeys("parity_difference", "equal_opportunity_difference", "equalized_odds_difference");
        assertThat(r.slices().get(1).grouping()).isEqualTo("quartiles");
        for (dev.kiln.train.eval.Slices.Group g : colour.groups()) {
            assertThat(g.intervals()).containsKeys("positive_rate", "predicted_positive_rate", "accuracy", "tpr", "fpr");
            List<Double> accuracy = g.intervals().get("accuracy");
            assertThat(accuracy.get(0)).isLessThanOrEqualTo(g.metrics().get("accuracy"));
            assertThat(accuracy.get(1)).isGreaterThanOrEqualTo(g.metrics().get("accuracy"));
        }
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        assertThat((List<?>) model.manifest().extra().get("slices")).hasSize(2);
        assertThat(model.manifest().lineage().parameters()).containsEntry("slice_by", List.of("colour", "a"));

        TrainingReport crossed = Training.run(TrainOptions.defaults(data, "y", dir.resolve("crossed")).withAlgorithms(List.of("linear"))
                .withSliceBy(List.of("colour*a")), ProgressListener.NONE);
        dev.kiln.train.eval.Slices.Column both = crossed.slices().get(0);
        assertThat(both.column()).isEqualTo("colour*a");
        assertThat(both.groups()).allMatch(g -> g.value().contains(" \u00d7 "));
        assertThat(both.groups().stream().mapToInt(dev.kiln.train.eval.Slices.Group::rows).sum()).isEqualTo((int) crossed.testRows());
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(data, "y", dir.resolve("x")).withSliceBy(List.of("colour*b2")),
                ProgressListener.NONE)).hasMessageContaining("b2");

        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(data, "y", dir.resolve("x")).withSliceBy(List.of("colur")),
                ProgressListener.NONE)).hasMessageContaining("colur");
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(data, "y", dir.resolve("x")).withSliceBy(List.of("y")),
                ProgressListener.NONE)).hasMessageContaining("is the target");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    /** A yes/no input written yes, Yes and no: its slices are its two answers, named in the file's words. */
    @Test
    void aYesNoInputIsSlicedByItsAnswersInTheFilesWords() throws Exception {
        List<String> lines = Files.readAllLines(synthetic(dir.resolve("yn-base.csv"), 600, 4));
        StringBuilder sb = new StringBuilder(lines.get(0)).append(",member\n");
        for (int i = 1; i < lines.size(); i++) {
            sb.append(lines.get(i)).append(',').append(i % 3 == 0 ? "no" : i % 5 == 0 ? "Yes" : "yes").append('\n');
        }
        Path data = Files.writeString(dir.resolve("yn.csv"), sb.toString());
        TrainingReport r = Training.run(TrainOptions.defaults(data, "y", dir.resolve("yn")).withAlgorithms(List.of("linear"))
                .withSliceBy(List.of("member")), ProgressListener.NONE);
        assertThat(r.slices().get(0).groups()).extracting(dev.kiln.train.eval.Slices.Group::value)
                .containsExactlyInAnyOrder("yes", "no");
    }

    static Path synthetic(Path file, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("a,b,colour,y\n");
        String[] colours = {"red", "green", "blue"};
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            int c = r.nextInt(3);
            double score = 1.2 * a - 0.8 * b + (c == 0 ? 0.7 : 0) + r.nextGaussian() * 0.7 - 0.8;
            sb.append(r.nextDouble() < 0.05 ? "" : Double.toString(a)).append(',').append(b).append(',')
                    .append(r.nextDouble() < 0.03 ? "NA" : colours[c]).append(',').append(score > 0 ? "pos" : "neg").append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    @Test
    void aBinaryReportCarriesTheChosenModelsCurvesOnTestRowsAndWhatDrivesIt() throws Exception {
        Path data = synthetic(dir.resolve("cv.csv"), 600, 11);
        TrainingReport r = Training.run(TrainOptions.defaults(data, "y", dir.resolve("curves")).withAlgorithms(List.of("linear", "tree")),
                ProgressListener.NONE);
        TrainingReport.Candidate chosen = r.leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst().orElseThrow();
        assertThat(r.curves()).isNotNull();
        assertThat(r.curves().rows()).isEqualTo((int) r.testRows());
        assertThat(r.curves().roc().auc()).isCloseTo(chosen.testMetrics().get("roc_auc"), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.curves().pr().averagePrecision()).isCloseTo(chosen.testMetrics().get("pr_auc"), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.curves().roc().fpr().size()).isBetween(2, dev.kiln.train.eval.Curves.MAX_POINTS);
        assertThat(r.curves().calibration().stream().mapToInt(dev.kiln.train.eval.Curves.CalibrationBin::rows).sum())
                .isEqualTo((int) r.testRows());
        assertThat(r.featureImportance()).containsKeys("space", "rows", "columns");
        assertThat(((java.util.Map<?, ?>) r.featureImportance().get("columns")).keySet()).map(Object::toString).contains("a", "b");

        TrainingReport regression = Training.run(TrainOptions.defaults(data, "a", dir.resolve("curves-reg"))
                .withAlgorithms(List.of("linear")), ProgressListener.NONE);
        assertThat(regression.curves()).as("curves are for binary tasks").isNull();
    }
}
