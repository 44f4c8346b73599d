package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.schema.ClassLabels;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a warm start continues, loaded and checked: a GBDT bundle with its XGBoost model. It decides what
 * the new training keeps from the parent so that the continued trees mean the same thing: the fitted feature
 * pipeline (the new data is read with the parent's column types and must have its columns), the target, task,
 * positive class and classes (a class the parent never saw is refused), and the decision threshold.
 */
record WarmStartParent(WarmStart request, Bundle bundle, byte[] xgboostModel, String bundleSha256) {

    static WarmStartParent load(WarmStart request) {
        String label = request.parentVersion();
        Bundle bundle = BundleReader.read(request.parentBundle());
        BundleManifest m = bundle.manifest();
        if (!WarmStart.ALGORITHM.equals(m.algorithm())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot warm-start from " + label + ": it is a '"
                    + m.algorithm() + "' model, and only '" + WarmStart.ALGORITHM + "' models can be continued; train "
                    + "from scratch (without a warm start)", Map.of("parent", label, "algorithm", String.valueOf(m.algorithm())));
        }
        String expected = m.files().get(BundleWriter.XGBOOST_MODEL_FILE);
        if (expected == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot warm-start from " + label + ": its bundle has no "
                    + BundleWriter.XGBOOST_MODEL_FILE + " (it was written before Kiln kept the XGBoost model in GBDT bundles); "
                    + "train from scratch once, and the versions after it can be warm-started",
                    Map.of("parent", label, "file", BundleWriter.XGBOOST_MODEL_FILE));
        }
        Path dir = bundle.directory();
        try {
            byte[] model = Files.readAllBytes(dir.resolve(BundleWriter.XGBOOST_MODEL_FILE));
            String actual = Checksums.sha256(model);
            if (!actual.equalsIgnoreCase(expected)) {
                throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "bundle file "
                        + dir.resolve(BundleWriter.XGBOOST_MODEL_FILE) + " fails its checksum (expected sha256 " + expected
                        + ", found " + actual + "): the file was changed while it was read",
                        Map.of("file", dir.resolve(BundleWriter.XGBOOST_MODEL_FILE).toString()));
            }
            String manifestSha = Checksums.sha256(dir.resolve(BundleManifest.MANIFEST_FILE));
            return new WarmStartParent(request, bundle, model, manifestSha);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + label + "'s XGBoost model in " + dir + ": "
                    + e.getMessage(), Map.of("parent", label), e);
        }
    }

    String label() {
        return request.parentVersion();
    }

    BundleManifest manifest() {
        return bundle.manifest();
    }

    /**
     * The new data, its input columns read as the parent's types (so that they encode as the parent's pipeline
     * expects); a column the parent reads that the data lacks is an error naming every such column.
     */
    DataFrame read(Path data, String target) {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (Field f : manifest().inputSchema().fields()) {
            if (!f.name().equals(target)) {
                types.put(f.name(), f.type());
            }
        }
        try {
            return DataReader.read(data, Target.readOptions(target).withTypes(types));
        } catch (KilnException e) {
            if (e.code() != ErrorCode.COLUMN_MISSING) {
                throw e;
            }
            List<String> have = DataReader.read(data).names();
            List<String> missing = new ArrayList<>(types.keySet());
            missing.removeAll(have);
            if (missing.isEmpty()) {
                throw e;
            }
            throw new KilnException(ErrorCode.COLUMN_MISSING, "the new data " + data + " lacks " + missing.size()
                    + " column(s) that " + label() + " reads: " + String.join(", ", missing) + "; a warm start reuses the "
                    + "parent's feature pipeline, so the new data must have its columns (train from scratch to change them)",
                    Map.of("parent", label(), "missing", missing, "file", data.toString()));
        }
    }

    /**
     * {@code o} with the parent's positive class, after checking that the target, task and positive class agree.
     * A classification parent's task is left to inference here and fixed by {@link #compatible}, so that a class
     * the parent never saw is named as such (rather than as "binary needs exactly 2 classes").
     */
    TrainOptions pinned(TrainOptions o) {
        BundleManifest m = manifest();
        if (!m.target().equals(o.target())) {
            throw conflict("the target is '" + o.target() + "' but " + label() + " predicts '" + m.target() + "'", "target");
        }
        if (o.task() != null && o.task() != m.task()) {
            throw conflict("the task is " + o.task().wireName() + " but " + label() + " is " + m.task().wireName(), "task");
        }
        String positive = o.positiveClass();
        if (m.task() == Task.BINARY) {
            if (positive != null && !ClassLabels.same(positive, m.positiveClass())) {
                throw conflict("the positive class is '" + positive + "' but " + label() + "'s is '" + m.positiveClass()
                        + "'", "positive_class");
            }
            positive = m.positiveClass();
        }
        Task task = m.task() == Task.REGRESSION ? Task.REGRESSION : null;
        return new TrainOptions(o.data(), o.target(), task, o.split(), o.timeColumn(), o.testFraction(),
                o.validationFraction(), o.seed(), o.algorithms(), o.exclude(), positive, o.costMatrix(), o.out(),
                o.replaceOutput(), o.sliceBy(), o.warmStart());
    }

    private KilnException conflict(String what, String field) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot warm-start from " + label() + ": " + what
                + "; a continued model predicts what its parent predicts (train from scratch to change it)",
                Map.of("parent", label(), "field", field));
    }

    /**
     * The new target as the parent's task, in the parent's class order: a class the parent never saw cannot be
     * continued (its trees have no output for it); a multiclass parent's class missing from the new rows is kept,
     * with no rows.
     */
    Target compatible(Target target) {
        Task task = manifest().task();
        if (task == Task.REGRESSION) {
            return target;
        }
        List<String> classes = manifest().classes();
        if (target.task() == Task.REGRESSION) {
            throw conflict("target '" + manifest().target() + "' in " + target.frame().source() + " reads as numbers "
                    + "for regression, but " + label() + " is " + task.wireName() + " classification", "task");
        }
        // A parent trained before labels were kept as written has classes false/true for data that says no/yes.
        List<String> unseen = target.classes().stream().filter(c -> ClassLabels.indexOf(classes, c) < 0).toList();
        if (!unseen.isEmpty()) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "cannot warm-start from " + label() + ": target '"
                    + manifest().target() + "' in " + target.frame().source() + " has class(es) " + unseen + " that "
                    + label() + " never saw (its classes: " + classes + "); train from scratch to learn a new class",
                    Map.of("parent", label(), "classes", unseen));
        }
        double[] y = new double[target.y().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ClassLabels.indexOf(classes, target.classes().get((int) target.y()[i]));
        }
        return new Target(task, classes, manifest().positiveClass(), y, target.frame(), target.notes());
    }

    /** The parent's fitted pipeline and input schema, as if fitted now. */
    FeaturePipelineFitter.Result pipeline() {
        return new FeaturePipelineFitter.Result(bundle.pipeline(), manifest().inputSchema(),
                List.of("warm start: the feature pipeline of " + label() + " reused as fitted"));
    }

    /** The GBDT that continues the parent: its depth and learning rate, up to the request's rounds added. */
    Trainer trainer() {
        Map<String, Object> h = manifest().hyperparameters() == null ? Map.of() : manifest().hyperparameters();
        int depth = h.get("max_depth") instanceof Number n ? n.intValue() : GbdtTrainer.DEFAULT_MAX_DEPTH;
        double eta = h.get("eta") instanceof Number n ? n.doubleValue() : GbdtTrainer.DEFAULT_LEARNING_RATE;
        GbdtTrainer trainer = new GbdtTrainer(depth, eta, request.rounds(), GbdtTrainer.DEFAULT_EARLY_STOPPING_ROUNDS, 0, Map.of());
        return trainer.continuing(xgboostModel);
    }

    /** The parent's decision threshold (binary), kept unless a cost matrix chooses one on the new rows. */
    Double decisionThreshold() {
        return manifest().decisionThreshold();
    }

    Lineage.Parent lineage() {
        return new Lineage.Parent(label(), bundleSha256);
    }
}
