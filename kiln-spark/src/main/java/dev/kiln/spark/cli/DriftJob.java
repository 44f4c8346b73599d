package dev.kiln.spark.cli;

import dev.kiln.monitor.drift.DriftAnalyzer;
import dev.kiln.monitor.drift.DriftOptions;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.spark.sketch.SparkSketcher;
import dev.kiln.store.ModelSource;
import dev.kiln.store.StoreOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare current data with reference data on Spark and say, feature by feature, whether it drifted: "
                + "the report of 'kiln drift --reference PATH --current PATH'. The reference may be a model instead (a "
                + "bundle directory, NAME, NAME@ALIAS or NAME:VERSION): its training data's sketch, carried in the bundle, "
                + "as 'kiln drift --reference MODEL --current PATH' compares.",
                "Each partition builds Kiln's mergeable sketches of its rows (a quantile sketch per numeric column, category "
                        + "counts per categorical one); the driver merges them in partition order and compares them with "
                        + "kiln drift's own statistics (KS and PSI for numbers; PSI, chi-square and unseen categories for "
                        + "categories) and thresholds. Columns are typed by Kiln's rules over all their values, the current "
                        + "data with the reference's types."})
final class DriftJob implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "PATH|MODEL", description = "reference data: a file or "
            + "directory (Parquet, CSV, JSON lines); or a model: a bundle directory or a registry reference")
    String reference;

    @Option(names = "--current", required = true, paramLabel = "PATH", description = "current data: a file or directory (Parquet, CSV, JSON lines)")
    String current;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or json (JSON lines), for both; default: from each path's extension")
    String format;

    @Option(names = "--reference-format", paramLabel = "FORMAT", description = "the reference's format, when it differs from --format")
    String referenceFormat;

    @Option(names = "--current-format", paramLabel = "FORMAT", description = "the current data's format, when it differs from --format")
    String currentFormat;

    @Mixin
    DriftOptions drift;

    @Mixin
    SparkMaster master;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the report as JSON (the shape of kiln drift --json)")
    boolean json;

    @Override
    public Integer call() {
        DriftThresholds thresholds = drift.thresholds();
        ModelReference model = referenceIsModel() ? ModelReference.of(Models.load(reference, store, "--reference")) : null;
        DataFormat refFormat = model != null ? null : DataFormat.of(referenceFormat != null ? referenceFormat : format,
                referenceFormat != null ? "--reference-format" : "--format", reference, "--reference");
        DataFormat curFormat = DataFormat.of(currentFormat != null ? currentFormat : format,
                currentFormat != null ? "--current-format" : "--format", current, "--current");
        if (model == null) {
            Inputs.requireExists(reference, "--reference");
        }
        Inputs.requireExists(current, "--current");
        try (Sessions.Started session = master.start("kiln spark drift")) {
            SparkSession spark = session.spark();
            DatasetSketch refSketch;
            Map<String, ColumnType> refTypes = new LinkedHashMap<>();
            if (model != null) {
                refSketch = model.features();
                refSketch.schema().fields().forEach(f -> refTypes.put(f.name(), f.type()));
            } else {
                SparkSketcher.Sketched ref = SparkSketcher.sketch(Inputs.read(spark, refFormat, reference, "--reference"));
                refSketch = ref.sketch();
                refTypes.putAll(ref.types());
            }
            // The current data with the reference's types, as kiln drift reads it: an integer column may hold decimals
            // (numbers compare as numbers), and a column whose values do not fit is compared as categories and reported.
            Map<String, ColumnType> types = new LinkedHashMap<>();
            refTypes.forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
            SparkSketcher.Sketched cur = SparkSketcher.sketch(Inputs.read(spark, curFormat, current, "--current"), types);
            DriftReport report = DriftAnalyzer.compare(refSketch, cur.sketch(), thresholds)
                    .withTypeProblems(cur.typeProblems());
            Map<String, Object> result = result(report, model, refSketch.rows(), cur.rows(), cur.typeProblems(),
                    spark.sparkContext().master());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, result);
            } else {
                print(out, report, result, cur.typeProblems());
            }
            out.flush();
            return drift.exitCode(report);
        }
    }

    /**
     * Whether --reference names a model rather than data: a directory holding a bundle manifest, or, when no such path
     * exists, a registry reference (a name without a path's separators or a URI's scheme).
     */
    private boolean referenceIsModel() {
        if (reference.contains("://")) {
            return false;
        }
        Path path = Path.of(reference);
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve(BundleManifest.MANIFEST_FILE));
        }
        return !Files.exists(path) && !ModelSource.looksLikePath(reference);
    }

    /** A model as the reference: its training data's sketch, carried in its bundle (format 1.1 and later). */
    private record ModelReference(ModelSource source, ReferenceSketch sketch) {
        static ModelReference of(ModelSource source) {
            ReferenceSketch sketch = source.model().bundle().referenceSketch();
            if (sketch == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--reference: model " + source.describe() + " was written "
                        + "before bundle format 1.1 and carries no reference sketch; pass its training data as --reference PATH",
                        Map.of("option", "--reference"));
            }
            return new ModelReference(source, sketch);
        }

        DatasetSketch features() {
            return sketch.features();
        }
    }

    private Map<String, Object> result(DriftReport report, ModelReference model, long referenceRows, long currentRows,
                                       Map<String, String> typeProblems, String usedMaster) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (model != null) {
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("kind", "model");
            ref.put("model", model.source().describe());
            ref.put("source", model.sketch().featuresSource());
            ref.put("rows", referenceRows);
            result.put("reference", ref);
        } else {
            result.put("reference", Map.of("kind", "dataset", "path", Inputs.describe(reference), "rows", referenceRows));
        }
        result.put("current", Map.of("kind", "dataset", "path", Inputs.describe(current), "rows", currentRows));
        report.putResult(result, typeProblems);
        result.put("thresholds", report.thresholds());
        result.put("master", usedMaster);
        return result;
    }

    private static void print(PrintWriter out, DriftReport report, Map<String, Object> result, Map<String, String> problems) {
        Map<?, ?> reference = (Map<?, ?>) result.get("reference");
        out.println("reference: " + ("model".equals(reference.get("kind")) ? "model " + reference.get("model")
                : "dataset " + reference.get("path")) + " (" + report.referenceRows() + " rows)");
        out.println("current:   dataset " + ((Map<?, ?>) result.get("current")).get("path") + " (" + report.currentRows() + " rows)");
        out.println();
        out.printf(Locale.ROOT, "%-24s %-12s %8s %9s %8s %9s %8s %-15s %s%n", "feature", "type", "KS D", "KS p", "PSI",
                "chi2 p", "unseen", "missing", "drift");
        for (FeatureDrift f : report.features()) {
            out.printf(Locale.ROOT, "%-24s %-12s %8s %9s %8s %9s %8s %-15s %s%n", f.name(), f.type(), num(f.ksStatistic()),
                    p(f.ksPValue()), num(f.psi()), p(f.chiSquarePValue()),
                    f.unseenShare() == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * f.unseenShare()),
                    String.format(Locale.ROOT, "%.1f%%→%.1f%%", 100 * f.referenceMissingShare(), 100 * f.currentMissingShare()),
                    f.drift() ? "DRIFT" : "");
        }
        if (!report.missingInCurrent().isEmpty()) {
            out.println("missing from the current data: " + String.join(", ", report.missingInCurrent()));
        }
        if (!report.missingInReference().isEmpty()) {
            out.println("not in the reference: " + String.join(", ", report.missingInReference()));
        }
        problems.forEach((column, problem) -> out.println("type problem in " + column + " (compared as categories): " + problem));
        out.printf(Locale.ROOT, "%d of %d features drifted (%.0f%%): %s%n", report.driftedCount(), report.features().size(),
                100 * report.shareDrifted(), report.datasetDrift() ? "the data set DRIFTED" : "no data-set drift");
    }

    private static String num(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String p(Double d) {
        if (d == null) {
            return "";
        }
        return d < 1e-4 ? String.format(Locale.ROOT, "%.1e", d) : String.format(Locale.ROOT, "%.4f", d);
    }
}
