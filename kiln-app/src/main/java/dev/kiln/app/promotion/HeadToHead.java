package dev.kiln.app.promotion;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.schema.ClassLabels;
import dev.kiln.runtime.schema.Field;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.HeldOut;
import dev.kiln.train.Target;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.CostMatrix;
import dev.kiln.train.eval.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A candidate and the current holder of an alias scored on the same rows: the candidate's own test rows of its own
 * training data, reproduced from what its training recorded (data file and its SHA-256, target, task, positive class,
 * split, time column, fractions, seed; the split is deterministic). Both bundles score through the runtime
 * ({@link KilnModel}), each at its own decision threshold, and the metrics are training's own ({@link Metrics#of},
 * {@link BusinessCost#per1000} with the candidate's cost matrix). Why: a candidate retrained on new data reports its
 * test metrics on new rows, the holder on old ones; comparing those numbers compares the data, not the models.
 *
 * <p>Every failure (data gone or changed, a holder that cannot read the rows) is a {@link KilnException} saying
 * precisely what; the gates turn it into a failed check, never into a comparison of numbers from different data.
 */
public final class HeadToHead {
    private HeadToHead() {
    }

    /**
     * What reproduces a run's test rows, and the cost matrix its cost metric uses.
     *
     * @param split         the split kind as resolved by the run ({@code random}, {@code stratified}, {@code time})
     * @param positiveClass binary only; pinned so that a changed class balance cannot flip it
     * @param cost          null when the run had no cost matrix
     * @param datasetSha256 the data's recorded SHA-256; null to skip the check (the caller vouches for the data)
     */
    public record SplitSpec(String target, Task task, String positiveClass, TrainOptions.SplitKind split, String timeColumn,
                            double testFraction, double validationFraction, long seed, CostMatrix cost,
                            String datasetSha256) {

        /** The spec a bundle's lineage records (its {@code parameters}, split, seed and dataset SHA-256). */
        public static SplitSpec fromLineage(BundleManifest candidate) {
            Lineage l = candidate.lineage();
            if (l == null || l.parameters() == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the candidate's bundle records no lineage parameters, "
                        + "so its test rows cannot be reproduced");
            }
            Map<String, Object> p = l.parameters();
            if (p.get("test_data") != null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the candidate was tested on a separate file (kiln train "
                        + "--test-data " + p.get("test_data") + "); scoring the holder on those rows is not supported yet",
                        Map.of("test_data", String.valueOf(p.get("test_data"))));
            }
            Object fp = p.get("cost_false_positive");
            Object fn = p.get("cost_false_negative");
            CostMatrix cost = fp instanceof Number a && fn instanceof Number b ? new CostMatrix(a.doubleValue(), b.doubleValue()) : null;
            return new SplitSpec(text(p, "target"), candidate.task(), candidate.positiveClass(),
                    splitKind(l.split()), p.get("time_column") == null ? null : String.valueOf(p.get("time_column")),
                    number(p, "test_fraction"), number(p, "validation_fraction"), l.seed(), cost, l.datasetSha256());
        }

        /** Training options that reproduce the split (only the target and split options are set). */
        public TrainOptions trainOptions() {
            return new TrainOptions(null, target, task, split, timeColumn, testFraction, validationFraction, seed, List.of(),
                    List.of(), positiveClass, null, null, false);
        }

        private static String text(Map<String, Object> p, String key) {
            Object v = p.get(key);
            if (v == null) {
                throw missing(key);
            }
            return String.valueOf(v);
        }

        private static double number(Map<String, Object> p, String key) {
            if (!(p.get(key) instanceof Number n)) {
                throw missing(key);
            }
            return n.doubleValue();
        }

        private static TrainOptions.SplitKind splitKind(String split) {
            if (split == null) {
                throw missing("split");
            }
            for (TrainOptions.SplitKind k : TrainOptions.SplitKind.values()) {
                if (k.wireName().equals(split)) {
                    return k;
                }
            }
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the candidate's bundle records an unknown split '" + split + "'");
        }

        private static KilnException missing(String key) {
            return new KilnException(ErrorCode.INVALID_ARGUMENT, "the candidate's bundle does not record its training "
                    + "parameter '" + key + "' (lineage), so its test rows cannot be reproduced", Map.of("parameter", key));
        }
    }

    /**
     * Both models' metrics on the same rows.
     *
     * @param rows          how many test rows both scored
     * @param datasetSha256 the SHA-256 of the data they came from
     */
    public record Result(Map<String, Double> candidate, Map<String, Double> holder, int rows, String datasetSha256) {
    }

    /** Whether a candidate's metrics include {@value BusinessCost#COST_PER_1000}: it was trained with a cost matrix. */
    public static boolean hasCost(BundleManifest candidate) {
        if (candidate.testMetrics() != null && candidate.testMetrics().containsKey(BusinessCost.COST_PER_1000)) {
            return true;
        }
        Map<String, Object> p = candidate.lineage() == null ? null : candidate.lineage().parameters();
        return candidate.task() == Task.BINARY && p != null && p.get("cost_false_positive") instanceof Number;
    }

    /**
     * Results of this process's recent comparisons, by what decides them: both bundles (their manifests' SHA-256, which
     * cover every file), the data's SHA-256 and the split. A pipeline compares the same pair when it evaluates, when a
     * rollout checks the gates before it touches the server and when the alias moves; at a million rows each comparison
     * reads the data and scores both models (about 12 s here), so the later ones take the first's answer.
     */
    private static final Map<String, Result> RECENT = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Result> eldest) {
                    return size() > 16;
                }
            });

    private static String key(String candidateSha, String holderSha, String datasetSha, SplitSpec spec) {
        return candidateSha + "|" + holderSha + "|" + datasetSha + "|" + spec;
    }

    /** The two bundle directories scored on {@code data} (the candidate's training data, whole, as read). */
    public static Result compare(Path candidateBundle, Path holderBundle, DataFrame data, SplitSpec spec) {
        String key = key(manifestSha(candidateBundle), manifestSha(holderBundle), data.sha256(), spec);
        Result known = RECENT.get(key);
        if (known != null) {
            return known;
        }
        Result r = compare(KilnModel.load(candidateBundle), KilnModel.load(holderBundle), data, spec);
        RECENT.put(key, r);
        return r;
    }

    private static String manifestSha(Path bundle) {
        try {
            return dev.kiln.runtime.bundle.Checksums.sha256(bundle.resolve(BundleManifest.MANIFEST_FILE));
        } catch (java.io.IOException e) {
            return "unreadable:" + bundle; // loading it next says precisely what is wrong
        }
    }

    /** As above, with the models loaded. */
    public static Result compare(KilnModel candidate, KilnModel holder, DataFrame data, SplitSpec spec) {
        if (spec.datasetSha256() != null && data.sha256() != null && !spec.datasetSha256().equals(data.sha256())) {
            throw new KilnException(ErrorCode.CONFLICT, "the data " + data.source() + " is not the candidate's training data: its "
                    + "SHA-256 is " + data.sha256() + ", the candidate's training recorded " + spec.datasetSha256(),
                    Map.of("file", String.valueOf(data.source()), "sha256", data.sha256(), "recorded_sha256", spec.datasetSha256()));
        }
        HeldOut held = HeldOut.testRows(data, spec.trainOptions());
        if (held.rows().rowCount() == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "the candidate's split of " + data.source() + " has no test rows");
        }
        List<Map<String, Object>> rows = new ArrayList<>(held.rows().rowCount());
        for (int i = 0; i < held.rows().rowCount(); i++) {
            Map<String, Object> row = new HashMap<>(held.rows().row(i));
            row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v); // a frame's missing number is NaN
            rows.add(row);
        }
        Map<String, Double> c = metrics(candidate, "the candidate", held, rows, spec.cost());
        Map<String, Double> h = metrics(holder, "the holder", held, rows, spec.cost());
        return new Result(c, h, rows.size(), data.sha256());
    }

    /**
     * Where the candidate's training data comes from, given what its lineage recorded: the file's path and its SHA-256.
     * The answer must be that data (checked again against the SHA-256); a failure is a {@link KilnException} saying why.
     */
    @FunctionalInterface
    public interface TrainingData {
        DataFrame read(String recordedPath, String recordedSha256);

        /** The data with {@code target}'s labels as written ({@link dev.kiln.train.Target#readOptions}), where it can. */
        default DataFrame read(String recordedPath, String recordedSha256, String target) {
            return read(recordedPath, recordedSha256);
        }
    }

    /** The data read from the recorded path, refused when it is gone or its SHA-256 is no longer the recorded one. */
    public static final TrainingData RECORDED_PATH = new TrainingData() {
        @Override
        public DataFrame read(String recordedPath, String recordedSha256) {
            return readRecordedPath(recordedPath, recordedSha256, null);
        }

        @Override
        public DataFrame read(String recordedPath, String recordedSha256, String target) {
            return readRecordedPath(recordedPath, recordedSha256, target);
        }
    };

    /** The store's path, with the data from the recorded path ({@link #RECORDED_PATH}). */
    public static Result compare(ModelRegistry registry, ModelVersion candidate, ModelVersion holder) {
        return compare(registry, candidate, holder, RECORDED_PATH);
    }

    /**
     * The store's path: the candidate version's training data found by {@code data} from what its lineage records, then
     * both versions' bundles compared on it.
     */
    public static Result compare(ModelRegistry registry, ModelVersion candidate, ModelVersion holder, TrainingData data) {
        KilnModel c = KilnModel.load(registry.bundlePath(candidate));
        SplitSpec spec = SplitSpec.fromLineage(c.manifest());
        String key = key(candidate.bundleSha256(), holder.bundleSha256(), spec.datasetSha256(), spec);
        Result known = spec.datasetSha256() == null ? null : RECENT.get(key);
        if (known != null) {
            return known;
        }
        DataFrame frame = data.read(c.manifest().lineage().datasetSource(), spec.datasetSha256(), spec.target());
        Result r = compare(c, KilnModel.load(registry.bundlePath(holder)), frame, spec);
        RECENT.put(key, r);
        return r;
    }

    private static DataFrame readRecordedPath(String source, String sha256, String target) {
        if (source == null || source.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the candidate's bundle records no training data file");
        }
        Path file = Path.of(source);
        if (!Files.isRegularFile(file) && !Files.isDirectory(file)) { // a directory: a dataset of several files
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "the candidate's training data " + file + " (SHA-256 "
                    + sha256 + ") is not there any more", Map.of("file", source));
        }
        DataFrame data;
        try {
            data = DataReader.read(file, Target.readOptions(target));
        } catch (KilnException e) {
            throw new KilnException(e.code(), "the candidate's training data " + file + " cannot be read: " + e.getMessage(),
                    e.details(), e);
        }
        if (sha256 != null && !sha256.equals(data.sha256())) {
            throw new KilnException(ErrorCode.CONFLICT, "the candidate's training data " + file + " has changed since it was "
                    + "trained: its SHA-256 is now " + data.sha256() + ", training recorded " + sha256,
                    Map.of("file", source, "sha256", data.sha256(), "recorded_sha256", sha256));
        }
        return data;
    }

    /** One model's metrics on the rows, at its own decision threshold. */
    private static Map<String, Double> metrics(KilnModel model, String who, HeldOut held, List<Map<String, Object>> rows,
                                               CostMatrix cost) {
        if (model.task() != held.task()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, who + " is a " + model.task().wireName() + " model, the "
                    + "candidate's data a " + held.task().wireName() + " task");
        }
        List<String> absent = model.requiredFields().stream().map(Field::name).filter(n -> !held.rows().has(n)).toList();
        if (!absent.isEmpty()) {
            throw new KilnException(ErrorCode.COLUMN_MISSING, who + " cannot score the candidate's test rows: it reads "
                    + "column(s) " + String.join(", ", absent) + " that the candidate's training data does not have",
                    Map.of("columns", absent));
        }
        double[] y = labels(model, who, held);
        double[][] out = new double[rows.size()][];
        double[] features = new double[model.featureNames().size()];
        for (int i = 0; i < out.length; i++) {
            try {
                model.encode(rows.get(i), features);
            } catch (KilnException e) {
                throw new KilnException(e.code(), who + " cannot score the candidate's test rows: test row " + i + ": "
                        + e.getMessage(), e.details(), e);
            }
            // The probabilities the model serves: calibrated when its bundle's calibration is applied (format 1.4).
            out[i] = model.calibrate(model.score(features));
        }
        Map<String, Double> m = new LinkedHashMap<>(Metrics.of(model.task(), y, out, model.decisionThreshold()));
        if (cost != null && model.task() == Task.BINARY) {
            m.put(BusinessCost.COST_PER_1000, BusinessCost.per1000(Metrics.classIndices(y),
                    Arrays.stream(out).mapToDouble(o -> o[0]).toArray(), model.decisionThreshold(), cost));
        }
        return m;
    }

    /** The rows' target as this model's class indices (its own class order), or the values for regression. */
    private static double[] labels(KilnModel model, String who, HeldOut held) {
        if (held.task() == Task.REGRESSION) {
            return held.y();
        }
        // A bundle from before labels were kept as written predicts P('true') where the data says 'yes': the same event.
        if (held.task() == Task.BINARY && !ClassLabels.same(held.positiveClass(), model.manifest().positiveClass())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, who + " predicts P('" + model.manifest().positiveClass()
                    + "'), the candidate P('" + held.positiveClass() + "'): their metrics measure different events");
        }
        List<String> own = model.classes();
        double[] y = new double[held.y().length];
        for (int i = 0; i < y.length; i++) {
            String label = held.classes().get((int) held.y()[i]);
            int k = ClassLabels.indexOf(own, label);
            if (k < 0) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, who + " cannot score the candidate's test rows: they "
                        + "hold class '" + label + "', which it does not predict (its classes: " + own + ")");
            }
            y[i] = k;
        }
        return y;
    }
}
