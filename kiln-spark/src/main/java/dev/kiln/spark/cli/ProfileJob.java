package dev.kiln.spark.cli;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.spark.sketch.SparkProfiles;
import dev.kiln.spark.sketch.SparkSketcher;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Profile a dataset on Spark: the profile of 'kiln data profile', per column count, missing, distinct, "
                + "min, max, mean, standard deviation, quantiles, histogram and top categories.",
                "Each partition builds Kiln's mergeable sketches; the driver merges them. Exact: rows, count, missing, "
                        + "min, max, category and true/false counts; mean and standard deviation to rounding (Chan's merge). "
                        + "Approximate, within the quantile sketch's rank error (about 0.35%) once a column has more than "
                        + "1,024 values: quantiles and histogram counts. Distinct counts: exact up to 1,024 numbers or 1,000 "
                        + "categories, else a HyperLogLog estimate (about 0.8%). No dataset SHA-256."})
final class ProfileJob implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "the dataset: a file or directory (Parquet, CSV, JSON lines)")
    String data;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or json (JSON lines); default: from the path's extension")
    String format;

    @Mixin
    SparkMaster master;

    @Option(names = "--json", description = "print the profile as JSON (the shape of kiln data profile --json)")
    boolean json;

    @Override
    public Integer call() {
        DataFormat in = DataFormat.of(format, "--format", data, "--data");
        Inputs.requireExists(data, "--data");
        try (Sessions.Started session = master.start("kiln spark profile")) {
            SparkSession spark = session.spark();
            SparkSketcher.Sketched sketched = SparkSketcher.sketchWithDistinct(Inputs.read(spark, in, data, "--data"));
            DatasetProfile profile = SparkProfiles.profile(Inputs.describe(data), sketched);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, profile);
            } else {
                print(out, profile);
            }
            out.flush();
        }
        return 0;
    }

    private static void print(PrintWriter out, DatasetProfile profile) {
        out.println(profile.source() + ": " + profile.rows() + " rows, " + profile.columns().size() + " columns");
        out.printf(Locale.ROOT, "%-24s %-12s %10s %8s %9s %12s %12s %12s %12s %s%n", "column", "type", "count", "missing",
                "distinct", "min", "mean", "max", "std", "top");
        for (ColumnProfile c : profile.columns()) {
            out.printf(Locale.ROOT, "%-24s %-12s %10d %7.1f%% %9d %12s %12s %12s %12s %s%n", c.name(), c.type(), c.count(),
                    100 * c.missingFraction(), c.distinct(), num(c.min()), num(c.mean()), num(c.max()), num(c.std()),
                    c.topCategories() == null ? "" : c.topCategories().stream().limit(3)
                            .map(t -> t.value() + " " + t.count()).collect(Collectors.joining(", ")));
        }
    }

    private static String num(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.4g", d);
    }
}
