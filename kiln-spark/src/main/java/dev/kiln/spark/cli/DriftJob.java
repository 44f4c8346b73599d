package dev.kiln.spark.cli;

import dev.kiln.monitor.drift.DriftAnalyzer;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.spark.sketch.SparkSketcher;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare current data with reference data on Spark and say, feature by feature, whether it drifted: "
                + "the report of 'kiln drift --reference PATH --current PATH'.",
                "Each partition builds Kiln's mergeable sketches of its rows (a quantile sketch per numeric column, category "
                        + "counts per categorical one); the driver merges them in partition order and compares them with "
                        + "kiln drift's own statistics (KS and PSI for numbers; PSI, chi-square and unseen categories for "
                        + "categories) and thresholds. Columns are typed by Kiln's rules over all their values, the current "
                        + "data with the reference's types."})
final class DriftJob implements Callable<Integer> {
    static final int EXIT_DRIFT = 6;

    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "PATH", description = "reference data: a file or directory (Parquet, CSV, JSON lines)")
    String reference;

    @Option(names = "--current", required = true, paramLabel = "PATH", description = "current data: a file or directory (Parquet, CSV, JSON lines)")
    String current;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or json (JSON lines), for both; default: from each path's extension")
    String format;

    @Option(names = "--reference-format", paramLabel = "FORMAT", description = "the reference's format, when it differs from --format")
    String referenceFormat;

    @Option(names = "--current-format", paramLabel = "FORMAT", description = "the current data's format, when it differs from --format")
    String currentFormat;

    @Option(names = "--ks-p-value", paramLabel = "P", defaultValue = "0.05", description = "significance level of the KS test (default: ${DEFAULT-VALUE})")
    double ksPValue;

    @Option(names = "--ks-statistic", paramLabel = "D", defaultValue = "0.1", description = "smallest KS statistic that matters (default: ${DEFAULT-VALUE})")
    double ksStatistic;

    @Option(names = "--psi", paramLabel = "X", defaultValue = "0.2", description = "smallest PSI that matters (default: ${DEFAULT-VALUE})")
    double psi;

    @Option(names = "--chi-square-p-value", paramLabel = "P", defaultValue = "0.05", description = "significance level of the chi-square test (default: ${DEFAULT-VALUE})")
    double chiSquarePValue;

    @Option(names = "--unseen-share", paramLabel = "S", defaultValue = "0.05", description = "smallest share of never-seen categories that matters (default: ${DEFAULT-VALUE})")
    double unseenShare;

    @Option(names = "--dataset-drift-share", paramLabel = "S", defaultValue = "0.5", description = "share of drifted features at which the data set drifts (default: ${DEFAULT-VALUE})")
    double datasetDriftShare;

    @Option(names = "--fail-on-drift", description = "exit with 6 when the data set drifted")
    boolean failOnDrift;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (the default, unless spark-submit set one), local[N], spark://HOST:PORT, yarn, ...")
    String master;

    @Option(names = "--json", description = "print the report as JSON (the shape of kiln drift --json)")
    boolean json;

    @Override
    public Integer call() {
        DriftThresholds thresholds = thresholds();
        DataFormat refFormat = DataFormat.of(referenceFormat != null ? referenceFormat : format,
                referenceFormat != null ? "--reference-format" : "--format", reference, "--reference");
        DataFormat curFormat = DataFormat.of(currentFormat != null ? currentFormat : format,
                currentFormat != null ? "--current-format" : "--format", current, "--current");
        Inputs.requireExists(reference, "--reference");
        Inputs.requireExists(current, "--current");
        try (Sessions.Started session = Sessions.start(master, "kiln spark drift")) {
            SparkSession spark = session.spark();
            SparkSketcher.Sketched ref = SparkSketcher.sketch(Inputs.read(spark, refFormat, reference, "--reference"));
            // The current data with the reference's types, as kiln drift reads it: an integer column may hold decimals
            // (numbers compare as numbers), and a column whose values do not fit is compared as categories and reported.
            Map<String, ColumnType> types = new LinkedHashMap<>();
            ref.types().forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
            SparkSketcher.Sketched cur = SparkSketcher.sketch(Inputs.read(spark, curFormat, current, "--current"), types);
            DriftReport report = withTypeProblems(DriftAnalyzer.compare(ref.sketch(), cur.sketch(), thresholds),
                    cur.typeProblems());
            Map<String, Object> result = result(report, ref.rows(), cur.rows(), cur.typeProblems(),
                    spark.sparkContext().master());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, result);
            } else {
                print(out, report, result, cur.typeProblems());
            }
            out.flush();
            return failOnDrift && report.datasetDrift() ? EXIT_DRIFT : 0;
        }
    }

    private Map<String, Object> result(DriftReport report, long referenceRows, long currentRows,
                                       Map<String, String> typeProblems, String usedMaster) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("reference", Map.of("kind", "dataset", "path", Inputs.describe(reference), "rows", referenceRows));
        result.put("current", Map.of("kind", "dataset", "path", Inputs.describe(current), "rows", currentRows));
        result.put("dataset_drift", report.datasetDrift());
        result.put("drifted_count", report.driftedCount());
        result.put("share_drifted", report.shareDrifted());
        result.put("features", report.features());
        result.put("missing_in_current", report.missingInCurrent());
        result.put("missing_in_reference", report.missingInReference());
        if (!typeProblems.isEmpty()) {
            List<Map<String, String>> rows = new java.util.ArrayList<>();
            typeProblems.forEach((column, message) -> rows.add(Map.of("column", column, "message", message)));
            result.put("type_problems", rows);
        }
        result.put("thresholds", report.thresholds());
        result.put("master", usedMaster);
        return result;
    }

    /** As kiln drift: a column whose values did not fit its reference type stays flagged, with the problem as its reason. */
    static DriftReport withTypeProblems(DriftReport report, Map<String, String> problems) {
        if (problems.isEmpty()) {
            return report;
        }
        List<FeatureDrift> features = new java.util.ArrayList<>();
        for (FeatureDrift f : report.features()) {
            String problem = problems.get(f.name());
            features.add(problem == null ? f : new FeatureDrift(f.name(), f.type(), f.referenceCount(), f.currentCount(),
                    f.referenceMissingShare(), f.currentMissingShare(), null, null, null, null, null, null, null, null,
                    true, List.of("type problem: " + problem)));
        }
        int drifted = (int) features.stream().filter(FeatureDrift::drift).count();
        double share = features.isEmpty() ? 0.0 : (double) drifted / features.size();
        return new DriftReport(report.referenceRows(), report.currentRows(), features, drifted, share,
                drifted > 0 && share >= report.thresholds().datasetDriftShare(), report.missingInCurrent(),
                report.missingInReference(), report.thresholds());
    }

    private DriftThresholds thresholds() {
        share("--ks-p-value", ksPValue);
        share("--ks-statistic", ksStatistic);
        share("--chi-square-p-value", chiSquarePValue);
        share("--unseen-share", unseenShare);
        share("--dataset-drift-share", datasetDriftShare);
        if (!(psi >= 0) || Double.isInfinite(psi)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--psi must be a number of 0 or more, not " + psi,
                    Map.of("option", "--psi", "value", String.valueOf(psi)));
        }
        return new DriftThresholds(ksPValue, ksStatistic, psi, chiSquarePValue, unseenShare, datasetDriftShare, 10);
    }

    private static void share(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " must be from 0 to 1, not " + value,
                    Map.of("option", option, "value", String.valueOf(value)));
        }
    }

    private static void print(PrintWriter out, DriftReport report, Map<String, Object> result, Map<String, String> problems) {
        out.println("reference: dataset " + ((Map<?, ?>) result.get("reference")).get("path") + " (" + report.referenceRows() + " rows)");
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
