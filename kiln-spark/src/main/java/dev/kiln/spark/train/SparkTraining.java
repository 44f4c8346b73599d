package dev.kiln.spark.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.spark.sketch.SparkProfiles;
import dev.kiln.spark.sketch.SparkSketcher;
import dev.kiln.train.BundleWriter;
import dev.kiln.train.FeaturePipelineFitter;
import dev.kiln.train.eval.Metrics;
import dev.kiln.train.xgboost.BoosterModels;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * One {@code kiln spark train} run: type every column over all rows and set aside rows without a target (as kiln train
 * does), split the test rows off and the validation rows from the rest (random, Spark's seeded
 * {@code randomSplit}), fit kiln train's GBDT feature pipeline on the training rows from merged per-partition
 * statistics ({@link SparkPipelineFitter}), encode every row on the executors with it ({@link FeatureRows}), fit the GBDT
 * with XGBoost4J-Spark ({@link SparkGbdt}), convert the kept rounds with kiln-train's converter, score the validation
 * and test rows with Kiln's estimator, and write the bundle with kiln-train's {@link BundleWriter}.
 */
public final class SparkTraining {
    /** Test rows on which Kiln's outputs are compared with XGBoost-Spark's own before the bundle is written. */
    static final int CHECK_ROWS = 256;

    private SparkTraining() {
    }

    public static SparkTrainingResult run(Dataset<Row> data, SparkTrainOptions o) {
        String targetName = o.target();
        List<String> columns = List.of(data.columns());
        if (!columns.contains(targetName)) {
            throw new KilnException(ErrorCode.COLUMN_MISSING, "target column '" + targetName + "' is not in " + o.source()
                    + "; its columns are: " + String.join(", ", columns), Map.of("column", targetName));
        }
        for (String e : o.exclude()) {
            if (!columns.contains(e)) {
                throw new KilnException(ErrorCode.COLUMN_MISSING, "--exclude names '" + e + "', which is not a column of "
                        + o.source() + "; its columns are: " + String.join(", ", columns),
                        Map.of("option", "--exclude", "column", e));
            }
        }
        List<String> notes = new ArrayList<>();
        List<Dataset<?>> cached = new ArrayList<>();
        try {
            // Every column typed over every row, as kiln train reads the file.
            SparkSketcher.Sketched all = SparkSketcher.sketch(data);
            Map<String, ColumnType> types = all.types();
            int at = data.schema().fieldIndex(targetName);
            Dataset<Row> labelled = cache(data.filter((FilterFunction<Row>) r -> TargetColumn.present(r.get(at))), cached);
            long rows = labelled.count();
            if (rows < all.rows()) {
                notes.add((all.rows() - rows) + " rows with a missing target were set aside");
            }
            if (rows < 10) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "only " + rows + " rows with a target value; Kiln needs at "
                        + "least 10 to train and test", Map.of("rows", rows));
            }
            TargetColumn target = TargetColumn.of(labelled, targetName, types.get(targetName), o);

            Dataset<Row>[] outer = labelled.randomSplit(new double[] {1 - o.testFraction(), o.testFraction()}, o.seed());
            Dataset<Row> training = cache(outer[0], cached);
            Dataset<Row> test = outer[1];
            Dataset<Row>[] inner = training.randomSplit(new double[] {1 - o.validationFraction(), o.validationFraction()},
                    o.seed() + 1);

            List<String> features = columns.stream().filter(c -> !c.equals(targetName) && !o.exclude().contains(c)).toList();
            SparkSketcher.Sketched trainSketch = SparkSketcher.sketch(training, types);
            List<String> datetimes = features.stream().filter(c -> types.get(c) == ColumnType.DATETIME).toList();
            FeaturePipelineFitter.Result fit = SparkPipelineFitter.fit(trainSketch, features,
                    new java.util.HashSet<>(FeatureRows.withTimeOfDay(training, datetimes)));
            notes.addAll(fit.notes());
            if (fit.pipeline().width() == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "no usable feature columns: " + String.join("; ", fit.notes()));
            }

            Dataset<Row> fitRows = cache(FeatureRows.encode(inner[0], fit.pipeline(), fit.inputSchema(), target), cached);
            Dataset<Row> validRows = cache(FeatureRows.encode(inner[1], fit.pipeline(), fit.inputSchema(), target), cached);
            Dataset<Row> testRows = cache(FeatureRows.encode(test, fit.pipeline(), fit.inputSchema(), target), cached);
            long fitCount = fitRows.count();
            long validCount = validRows.count();
            long testCount = testRows.count();
            if (fitCount == 0 || validCount == 0 || testCount == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "the split left " + fitCount + " fitting, " + validCount
                        + " validation and " + testCount + " test rows; every part needs rows", Map.of("rows", rows));
            }
            int workers = o.workers() > 0 ? o.workers() : data.sparkSession().sparkContext().defaultParallelism();
            SparkGbdt gbdt = SparkGbdt.fit(fitRows, validRows, target, o, workers);
            TreeEnsembleEstimator estimator = BoosterModels.estimator(gbdt.json(), fit.pipeline().width());

            KilnScores valid = KilnScores.of(validRows, estimator);
            KilnScores tested = KilnScores.of(testRows, estimator);
            double threshold = 0.5;
            Map<String, Double> validationMetrics = Metrics.of(target.task(), valid.y(), valid.outputs(), threshold);
            Map<String, Double> testMetrics = Metrics.of(target.task(), tested.y(), tested.outputs(), threshold);
            Map<String, Double> baseline = Metrics.of(target.task(), tested.y(),
                    constant(Baseline.of(fitRows, target), tested.y().length), threshold);
            double diff = XGBoostCheck.maxAbsDiff(gbdt.model(), testRows.limit(CHECK_ROWS), estimator, target.task());

            Map<String, Object> info = new LinkedHashMap<>();
            info.put("library", "xgboost4j-spark " + BoosterModels.xgboostVersion());
            info.put("trained_on", "spark " + data.sparkSession().version() + ", master "
                    + data.sparkSession().sparkContext().master());
            info.put("num_workers", workers);
            info.put("max_abs_diff_vs_xgboost", diff);
            info.put("rounds_trained", gbdt.roundsTrained());
            info.put("rounds_kept", gbdt.roundsKept());
            info.put("trees", estimator.trees().size());
            info.put("stopped_early", gbdt.roundsTrained() < o.maxRounds());
            if (gbdt.bestIteration() != null) {
                info.put("validation_metric", gbdt.params().get("eval_metric"));
                info.put("best_iteration", gbdt.bestIteration());
            }
            Map<String, Object> hyper = new LinkedHashMap<>(gbdt.params());
            hyper.remove("library");
            hyper.put("rounds", gbdt.roundsKept());

            Lineage lineage = new Lineage(o.source(), null, all.rows(), fitCount, validCount, testCount, "random",
                    o.seed(), parameters(o, target, workers), KilnVersion.get(), System.getProperty("kiln.gitCommit"),
                    Instant.now().toString());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("selection_metric", selectionMetric(target.task()));
            extra.put("baseline_metrics", baseline);
            extra.put("feature_names", fit.pipeline().featureNames());
            extra.put("training_info", info);
            extra.put("validation", Map.of("kind", "holdout", "folds", 1, "description",
                    "early stopping on " + validCount + " validation rows (Spark's randomSplit, seed " + (o.seed() + 1) + ")"));
            BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, target.task(), targetName,
                    target.task().isClassification() ? target.classes() : null, target.positiveClass(),
                    target.task() == Task.BINARY ? threshold : null, fit.inputSchema(), "gbdt", hyper, validationMetrics,
                    testMetrics, lineage, extra, Map.of());
            SparkSketcher.Sketched profiled = trainSketch;
            DatasetSketch featureSketch = new DatasetSketch(profiled.rows(), profiled.sketch().columns().stream()
                    .filter(c -> fit.pipeline().inputColumns().contains(c.name())).toList());
            ReferenceSketch sketch = new ReferenceSketch("training rows: " + profiled.rows(), featureSketch,
                    "validation rows: " + validCount + "; test rows: " + testCount,
                    outputs(target, valid, tested));
            Path bundle = BundleWriter.write(o.out(), manifest, fit.pipeline(), estimator,
                    SparkProfiles.profile(o.source(), trainSketch), sketch, null, gbdt.json(), o.replaceOutput());
            return new SparkTrainingResult(bundle, target.task(), target.classes(), target.positiveClass(), all.rows(),
                    fitCount, validCount, testCount, validationMetrics, testMetrics, baseline, hyper, info, notes, diff,
                    gbdt.model());
        } finally {
            for (Dataset<?> d : cached) {
                d.unpersist(false);
            }
        }
    }

    private static <T> Dataset<T> cache(Dataset<T> d, List<Dataset<?>> cached) {
        Dataset<T> c = d.persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(c);
        return c;
    }

    private static double[][] constant(double[] output, int n) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = output;
        }
        return out;
    }

    /** What drift monitoring compares live outputs with: the model's outputs on rows it had not fitted on. */
    private static DatasetSketch outputs(TargetColumn target, KilnScores... parts) {
        DatasetSketch.Builder b = DatasetSketch.builder(ReferenceSketch.outputSchema(target.task()));
        for (KilnScores part : parts) {
            for (double[] o : part.outputs()) {
                Object v = target.task() == Task.MULTICLASS ? target.classes().get(argMax(o)) : (Object) o[0];
                b.addRow(Map.of(ReferenceSketch.PREDICTION, v));
            }
        }
        return b.build();
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    static String selectionMetric(Task task) {
        return switch (task) {
            case BINARY -> "roc_auc";
            case MULTICLASS -> "log_loss";
            case REGRESSION -> "rmse";
        };
    }

    private static Map<String, Object> parameters(SparkTrainOptions o, TargetColumn target, int workers) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", o.target());
        p.put("task", target.task().wireName());
        p.put("algorithms", List.of("gbdt"));
        p.put("split", "random");
        p.put("test_fraction", o.testFraction());
        p.put("validation_fraction", o.validationFraction());
        p.put("seed", o.seed());
        p.put("validation", "holdout");
        p.put("exclude", o.exclude());
        p.put("positive_class", target.positiveClass());
        p.put("engine", "spark");
        p.put("num_workers", workers);
        p.values().removeIf(java.util.Objects::isNull);
        return p;
    }

    /** Kiln's outputs against XGBoost-Spark's own ({@code transform}) on the given encoded rows. */
    static final class XGBoostCheck {
        private XGBoostCheck() {
        }

        static double maxAbsDiff(Model<?> model, Dataset<Row> rows, TreeEnsembleEstimator estimator, Task task) {
            String column = task.isClassification() ? "probability" : "prediction";
            List<Row> scored = model.transform(rows).select(FeatureRows.FEATURES, column).collectAsList();
            double max = 0;
            double[] out = new double[estimator.outputs()];
            for (Row r : scored) {
                estimator.predict(((Vector) r.get(0)).toArray(), out);
                double[] theirs = reference(r.get(1), task);
                for (int j = 0; j < out.length; j++) {
                    max = Math.max(max, Math.abs(out[j] - theirs[j]));
                }
            }
            if (!(max <= 1e-6)) {
                throw new KilnException(ErrorCode.TRAINING_FAILED, "the converted XGBoost-Spark model scores a test row "
                        + max + " away from XGBoost-Spark's own prediction (more than 1e-6)");
            }
            return max;
        }

        /** XGBoost-Spark's output as Kiln's estimator gives it: binary P(positive), each class's, or the value. */
        static double[] reference(Object cell, Task task) {
            return switch (task) {
                case BINARY -> new double[] {((Vector) cell).apply(1)};
                case MULTICLASS -> ((Vector) cell).toArray();
                case REGRESSION -> new double[] {((Number) cell).doubleValue()};
            };
        }
    }
}
