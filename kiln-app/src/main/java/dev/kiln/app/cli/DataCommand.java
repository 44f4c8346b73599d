package dev.kiln.app.cli;

import dev.kiln.store.ModelSource;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.data.Profiler;
import dev.kiln.monitor.validate.ValidateOptions;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.runtime.validate.ValidationText;
import dev.kiln.data.validate.Validator;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Its verbs are listed in {@link Cli#VERBS}, which adds them when the command line is built. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Look at data before training on it, and keep the versions of datasets in the store.")
final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "profile", mixinStandardHelpOptions = true,
            description = "Profile a dataset (CSV, Parquet, JSON lines): per column type, missing, distinct, "
                    + "min/max/mean/std, quantiles, histogram, top categories. The dataset version is the SHA-256 of its bytes.")
    static final class Profile implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the dataset: a file, or a directory of files read as one")
        Path path;

        @Option(names = "--json", description = "print the full profile as JSON")
        boolean json;

        @Override
        public Integer call() {
            DatasetProfile profile = Profiler.profile(path);
            var out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, profile);
            } else {
                out.print(Reports.profile(profile));
                out.println("dataset version (sha256): " + profile.sha256());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Check a dataset against a model before scoring or retraining on it: its input schema, "
                    + "and what it saw in training (the bundle's reference profile and feature vocabulary).",
                    "Per column the model reads, every row is counted as exactly one of: valid, missing, invalid type "
                            + "(not readable as the column's type), new category (never seen in training), out of range "
                            + "(outside the training [min, max]), absent (the column is missing). Up to 5 examples per "
                            + "issue give the row (1-based data row, header not counted) and the value.",
                    "Status: fail when a column the model needs is missing or a value has the wrong type; warn on new "
                            + "categories, values out of range, or a missing share more than --missing-jump above the "
                            + "training share; else pass. Columns the model does not read are listed, not errors."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:pass or warn (with --fail-on warn: pass only)",
                    "5:validation failed (fail; with --fail-on warn: warn or fail); the report is still printed",
                    "2:bad input (unreadable data, bad option or reference)",
                    "3:not found (data file, model, version, alias, bundle)"})
    static final class Validate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "PATH", description = "the dataset to check: CSV, Parquet or JSON lines")
        Path data;

        @Option(names = "--against", required = true, paramLabel = "REF",
                description = "the model: a bundle directory, or a registered NAME (its production alias), NAME@ALIAS or NAME:VERSION")
        String against;
        @Mixin
        ValidateOptions validation;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the full report as JSON")
        boolean json;

        @Override
        public Integer call() {
            ValidationOptions options = validation.options();
            ModelSource source = ModelSource.load(against, store);
            Map<String, Object> model = source.described();
            KilnModel kiln = source.model();
            ValidationReport report = Validator.validate(data, Expectations.of(kiln.bundle()), options);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = Json.mapper().convertValue(report,
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
                m.put("model", model);
                Reports.json(out, m);
            } else {
                out.print(ValidationText.render(report, model));
            }
            out.flush();
            return validation.exitCode(report);
        }
    }
}
