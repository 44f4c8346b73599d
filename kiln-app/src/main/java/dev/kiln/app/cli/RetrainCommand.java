package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.Retraining;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.store.KilnStore;
import dev.kiln.train.TrainingReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Retrain a registered model version on new data with its recorded training configuration, "
                + "and register the result as the next (candidate) version.",
                "The configuration (target, task, split, time column, fractions, seed, algorithms, excluded columns, "
                        + "positive class, cost matrix) is read from the parameters of the version's training run; a "
                        + "parameter an old run lacks is an error naming it. A task or positive class that the original "
                        + "run inferred is kept as the version had it. The new run is tracked and tagged "
                        + Retraining.RETRAIN_TAG + "=NAME:VERSION.",
                "No alias moves: promote the new version through the gates with the 'kiln models alias' command printed at the end."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:retrained and registered",
                "2:bad input (the data lacks a column the configuration needs, e.g. the target; a bad reference)",
                "3:not found (model, version, alias, its run, or the data file)",
                "10:training failure"})
final class RetrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "REF", description = "the version to retrain: NAME (its production alias), NAME@ALIAS or NAME:VERSION")
    String ref;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "the new training data: CSV, Parquet or JSON lines")
    Path data;

    @Option(names = "--experiment", paramLabel = "NAME",
            description = "experiment the run is recorded in (default: the experiment of the source version's run)")
    String experiment;

    @Option(names = "--seed", paramLabel = "N", description = "random seed instead of the recorded one")
    Long seed;

    @Option(names = "--register-as", paramLabel = "NAME", description = "register under this model name (default: the same model)")
    String registerAs;

    @Option(names = "--warm-start", description = "continue REF's gbdt model on the new data (its trees kept, more "
            + "rounds added, its feature pipeline reused) instead of training from scratch; only gbdt and the baseline "
            + "are trained, and the new version's lineage names REF")
    boolean warmStart;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() {
        Retraining.Result result;
        try (KilnStore s = store.open(); Progress progress = new Progress("retrain", !json)) {
            result = Retraining.retrain(s, ref, data, Promotion.actor(), progress,
                    new Retraining.Options(experiment, seed, registerAs, null, warmStart));
        }
        TrainingReport report = result.report();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", Map.of("name", result.source().model(), "version", result.source().version(),
                    "run_id", result.source().sourceRunId()));
            m.put("run_id", result.run().id());
            m.put("experiment", result.run().experiment());
            m.put("registered", Map.of("name", result.registered().model(), "version", result.registered().version()));
            m.put("config", Retraining.config(result.options()));
            m.put("pinned", result.pinned());
            m.put("chosen", report.chosen());
            m.put("bundle", report.bundle());
            m.put("promote_command", result.promoteCommand());
            m.put("training", Tracking.withoutProfile(report));
            Reports.json(out, m);
        } else {
            String label = result.source().model() + ":" + result.source().version();
            out.println((warmStart ? "continued " + label + "'s gbdt (warm start)" : "retrained " + label) + " on " + data
                    + " with its recorded configuration:");
            Retraining.config(result.options()).forEach((k, v) -> out.println("  " + k + ": "
                    + (v instanceof java.util.List<?> l ? (l.isEmpty() ? "(none)" : String.join(",", l.stream().map(String::valueOf).toList())) : v)
                    + (result.pinned().containsKey(k) ? "  (inferred originally; kept as " + label + " had it)" : "")));
            out.println();
            out.print(Reports.leaderboard(report));
            out.println();
            out.println("chosen: " + report.chosen() + " (best validation " + report.selectionMetric() + ")");
            out.println("bundle: " + report.bundle());
            out.println("run: " + result.run().id() + " (experiment " + result.run().experiment() + ", tagged "
                    + Retraining.RETRAIN_TAG + "=" + label + ")");
            out.println("registered: " + result.registered().model() + ":" + result.registered().version()
                    + " (no alias moved)");
            out.println("promote with: " + result.promoteCommand());
        }
        out.flush();
        return 0;
    }
}
