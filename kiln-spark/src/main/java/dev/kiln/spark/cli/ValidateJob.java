package dev.kiln.spark.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.runtime.Json;
import dev.kiln.monitor.validate.ValidateOptions;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.runtime.validate.ValidationText;
import dev.kiln.spark.validate.SparkValidator;
import dev.kiln.store.ModelSource;
import dev.kiln.store.StoreOptions;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a dataset against a model on Spark before scoring or retraining on it: the report of "
                + "'kiln data validate --data PATH --against REF'.",
                "Per column the model reads, every row is counted as exactly one of: valid, missing, invalid type, new "
                        + "category (never seen in training), out of range (outside the training [min, max]), absent (the "
                        + "column is missing). Each partition checks its rows by the same rule and sends back counts and "
                        + "its first examples; the driver merges them. Up to 5 examples per issue give the row (1-based "
                        + "data row of its file, header not counted; with several files, the file too) and the value.",
                "Status: fail when a column the model needs is missing or a value has the wrong type; warn on new "
                        + "categories, values out of range, or a missing share more than --missing-jump above the "
                        + "training share; else pass."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:pass or warn (with --fail-on warn: pass only)",
                "5:validation failed (fail; with --fail-on warn: warn or fail); the report is still printed",
                "2:bad input (unreadable data, bad option or reference)",
                "3:not found (data, model, version, alias, bundle)",
                "10:the Spark job failed"})
final class ValidateJob implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "the dataset to check: a file or directory (Parquet, CSV, JSON lines; a local path or a URI Spark reads)")
    String data;

    @Option(names = {"--against", "--model"}, required = true, paramLabel = "REF",
            description = "the model: a bundle directory, or a registered NAME (its production alias), NAME@ALIAS or NAME:VERSION")
    String against;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or json (JSON lines); default: from the path's extension")
    String format;
    @Mixin
    ValidateOptions validation;

    @Mixin
    StoreOptions store;

    @Mixin
    SparkMaster master;

    @Option(names = "--json", description = "print the full report as JSON (the shape of kiln data validate --json)")
    boolean json;

    @Override
    public Integer call() {
        ValidationOptions options = validation.options();
        DataFormat in = DataFormat.of(format, "--format", data, "--data");
        Inputs.requireExists(data, "--data");
        ModelSource model = Models.load(against, store, "--against");
        Expectations expected = Expectations.of(model.model().bundle());
        try (Sessions.Started session = master.start("kiln spark validate")) {
            SparkSession spark = session.spark();
            ValidationReport report = SparkValidator.validate(Inputs.read(spark, in, data, "--data"), expected, options,
                    Inputs.describe(data));
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> described = model.described();
            if (json) {
                Map<String, Object> m = Json.mapper().convertValue(report, new TypeReference<Map<String, Object>>() { });
                m.put("model", described);
                m.put("master", spark.sparkContext().master());
                Reports.json(out, m);
            } else {
                out.print(ValidationText.render(report, described));
            }
            out.flush();
            return validation.exitCode(report);
        }
    }
}
