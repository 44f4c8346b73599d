package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.store.ModelSource;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.monitoring.LogSource;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.data.ReadOptions;
import dev.kiln.data.Sketcher;
import dev.kiln.monitor.drift.DriftAnalyzer;
import dev.kiln.monitor.drift.DriftOptions;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.DriftTimeline;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.drift.TrafficSketch;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare current data with a reference and say, feature by feature, whether it drifted.",
                "The reference is a dataset, or a model (bundle directory or registry reference), whose bundle carries "
                        + "sketches of its training rows and of its output on held-out rows. The current data is a dataset, "
                        + "or a window of a served model's prediction log (--logs), which also gives the drift of the model's output.",
                "Numeric features: two-sample Kolmogorov-Smirnov statistic and p-value, and PSI on the reference's deciles. "
                        + "Categorical features: PSI, chi-square test and the share of categories the reference never saw.",
                "A feature drifts when the difference is both significant and large: KS p < --ks-p-value and (D >= --ks-statistic "
                        + "or PSI >= --psi); chi-square p < --chi-square-p-value and (PSI >= --psi or unseen share >= --unseen-share). "
                        + "A p-value alone would flag everything at a million rows; PSI alone is noise at fifty.",
                "Statistics come from mergeable sketches: exact up to 1,024 values per column, within about 0.3%% in rank "
                        + "after, with memory that does not grow with the rows."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:compared (drift or not)", "2:bad input", "3:not found",
                "6:the data set drifted and --fail-on-drift was given"})
final class DriftCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "PATH|REF",
            description = "reference data (CSV, Parquet, JSON lines), a bundle directory, or a model reference (credit, credit@staging, credit:3)")
    String reference;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Current current;

    static final class Current {
        @Option(names = "--current", paramLabel = "PATH", description = "current data (CSV, Parquet, JSON lines)")
        Path data;

        @Option(names = "--logs", paramLabel = "NAME", description = "the prediction log of served model NAME (kiln serve --model NAME=...)")
        String logs;
    }

    @Option(names = "--since", paramLabel = "TIME", description = "with --logs: from this time (ISO instant, date, or an age such as 24h or 7d)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "with --logs: up to this time, excluded")
    String until;

    @Option(names = "--by", paramLabel = "WINDOW",
            description = "with --logs: also report drift window by window: a width (1d, 7d) or calendar months (1mo, 3mo)")
    String by;

    @Option(names = "--time-column", paramLabel = "COL",
            description = "with --by: place each row in time by this input column (the event's date) instead of when it was logged")
    String timeColumn;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "with --logs: the server's --log-dir (default: HOME/logs/predictions)")
    Path logDir;

    @Option(names = "--log-source", paramLabel = "URI",
            description = "with --logs: read the log from Kafka instead, as kiln serve --log-sink sent it: kafka://HOST:PORT[,HOST:PORT]/TOPIC")
    String logSource;

    @Mixin
    DriftOptions drift;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() {
        DriftThresholds thresholds = drift.thresholds();
        if (current.data != null && (since != null || until != null || logDir != null || logSource != null || by != null)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--since, --until, --by, --log-dir and --log-source go with --logs, not --current");
        }
        if (timeColumn != null && by == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--time-column goes with --by");
        }
        Buckets buckets = by == null ? null : Buckets.parse(by, "--by");
        Map<String, Object> result = new LinkedHashMap<>();
        Reference ref = reference(result);
        Comparison c = current.data != null ? compareData(ref, thresholds, result) : compareLogs(ref, thresholds, buckets, result);
        DriftReport report = c.report();
        report.putResult(result, c.typeProblems());
        if (c.prediction() != null) {
            result.put("prediction", c.prediction());
        }
        result.put("thresholds", report.thresholds());
        if (c.timeline() != null) {
            result.put("timeline", c.timeline());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Reports.json(out, result);
        } else {
            print(out, result, c, buckets);
        }
        out.flush();
        return drift.exitCode(report);
    }

    /**
     * What the current data is compared with: a dataset's sketch, or a model's reference sketches ({@code model}
     * and {@code modelSketch} set). {@code current} is the current dataset's sketch when it was made along with the
     * reference's, else null.
     */
    private record Reference(DatasetSketch sketch, ModelSource model, ReferenceSketch modelSketch, DriftCurrentData.Sketched current) {
    }

    /** The drift of the inputs, and with --logs of the model's output ({@code prediction}) and by window ({@code timeline}). */
    private record Comparison(DriftReport report, FeatureDrift prediction, List<DriftTimeline.Point> timeline,
                              Map<String, String> typeProblems) {
    }

    /** Sketches or loads the reference, and describes it in {@code result}. */
    private Reference reference(Map<String, Object> result) {
        Path referencePath = Path.of(reference);
        if (!Files.isRegularFile(referencePath)) {
            ModelSource model = ModelSource.load(reference, store);
            ReferenceSketch modelReference = model.model().bundle().referenceSketch();
            if (modelReference == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model " + model.describe() + " was written before bundle format 1.1 "
                        + "and carries no reference sketch; pass its training data as --reference PATH", Map.of("reference", reference));
            }
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("kind", "model");
            ref.put("model", model.describe());
            ref.put("source", modelReference.featuresSource());
            ref.put("rows", modelReference.features().rows());
            result.put("reference", ref);
            return new Reference(modelReference.features(), model, modelReference, null);
        }
        DatasetSketch referenceSketch;
        DriftCurrentData.Sketched currentSketch = null;
        // Read the reference once (in parallel), which gives its sketch and its types; then the current data with those
        // types. One file in memory at a time; a CSV file too big to read whole is sketched as it is parsed.
        Sketcher.Typed once = current.data == null ? null : Sketcher.fitsInMemory(referencePath)
                ? Sketcher.sketchWithTypes(referencePath, ReadOptions.defaults().withoutChecksum())
                : Sketcher.sketchWhileParsing(referencePath, ReadOptions.defaults().withoutChecksum());
        if (once != null) {
            referenceSketch = once.sketch();
            currentSketch = DriftCurrentData.sketch(current.data, once.types());
        } else if (current.data != null) {
            // Streaming: infer the reference's types once, then sketch both files with them at the same time: two
            // passes of wall time instead of three.
            ReadOptions typed = ReadOptions.defaults().withTypes(Sketcher.inferTypes(referencePath, ReadOptions.defaults()));
            java.util.concurrent.CompletableFuture<DriftCurrentData.Sketched> cur = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> DriftCurrentData.sketch(current.data, typed.types()));
            referenceSketch = Sketcher.sketch(referencePath, typed);
            try {
                currentSketch = cur.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else {
            referenceSketch = Sketcher.sketch(referencePath, ReadOptions.defaults().withoutChecksum());
        }
        result.put("reference", Map.of("kind", "dataset", "path", referencePath.toAbsolutePath().normalize().toString(),
                "rows", referenceSketch.rows()));
        return new Reference(referenceSketch, null, null, currentSketch);
    }

    /** --current: the current dataset against the reference, read with the reference's column types. */
    private Comparison compareData(Reference ref, DriftThresholds thresholds, Map<String, Object> result) {
        Map<String, ColumnType> types = new HashMap<>();
        for (Field f : ref.sketch().schema().fields()) {
            types.put(f.name(), f.type());
        }
        // Numbers compare as numbers whatever their kind; a column that fails its type is a problem of its own,
        // reported, and never stops the others.
        DriftCurrentData.Sketched sketched = ref.current() != null ? ref.current() : DriftCurrentData.sketch(current.data, types);
        DatasetSketch cur = sketched.sketch();
        result.put("current", Map.of("kind", "dataset", "path", current.data.toAbsolutePath().normalize().toString(),
                "rows", cur.rows()));
        return new Comparison(DriftAnalyzer.compare(ref.sketch(), cur, thresholds).withTypeProblems(sketched.typeProblems()),
                null, null, sketched.typeProblems());
    }

    /** --logs: a window of the served model's prediction log against the model's reference sketches, in one pass. */
    private Comparison compareLogs(Reference ref, DriftThresholds thresholds, Buckets buckets, Map<String, Object> result) {
        if (ref.model() == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--logs needs a model as --reference (its input schema "
                    + "reads the log), not a dataset", Map.of("reference", reference));
        }
        Instant now = Instant.now();
        LogWindow window = new LogWindow(LogWindow.parseTime(since, now, "--since"), LogWindow.parseTime(until, now, "--until"));
        PredictionLogReader log = LogSource.of(logSource, logDir, Home.predictionLogs(store.home())).open(current.logs);
        var manifest = ref.model().model().manifest();
        var task = ref.model().model().task();
        TrafficSketch all = new TrafficSketch(manifest.inputSchema(), task, manifest.positiveClass());
        Map<Long, TrafficSketch> byWindow = new java.util.TreeMap<>();
        PredictionLogReader.ReadStats read = log.predictions(window, p -> { // one pass for the whole and the windows
            all.add(p);
            Instant t = buckets == null ? null : PerformanceAnalyzer.timeOf(p, timeColumn);
            if (t != null) {
                byWindow.computeIfAbsent(buckets.start(t.toEpochMilli()),
                        w -> new TrafficSketch(manifest.inputSchema(), task, manifest.positiveClass())).add(p);
            }
        });
        Map<String, Object> cur = new LinkedHashMap<>();
        cur.put("kind", "prediction_log");
        cur.put("model", current.logs);
        cur.put("since", window.since() == null ? null : window.since().toString());
        cur.put("until", window.until() == null ? null : window.until().toString());
        cur.put("rows", read.records());
        cur.put("unreadable_lines", read.malformed());
        cur.put("unreadable_examples", read.malformedExamples());
        result.put("current", cur);
        if (read.records() == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "the prediction log of '" + current.logs + "' has no predictions in the window",
                    Map.of("logs", log.where()));
        }
        List<DriftTimeline.Point> timeline = buckets == null ? null
                : DriftTimeline.points(byWindow, ref.modelSketch(), buckets, thresholds);
        return new Comparison(all.inputDrift(ref.modelSketch(), thresholds), all.outputDrift(ref.modelSketch(), thresholds), timeline,
                Map.of());
    }

    private void print(PrintWriter out, Map<String, Object> result, Comparison c, Buckets buckets) {
        DriftReport report = c.report();
        out.println("reference: " + describe(result.get("reference")));
        out.println("current:   " + describe(result.get("current")));
        out.println();
        out.print(table(report, c.prediction()));
        if (!report.missingInCurrent().isEmpty()) {
            out.println("missing from the current data: " + String.join(", ", report.missingInCurrent()));
        }
        if (!report.missingInReference().isEmpty()) {
            out.println("not in the reference: " + String.join(", ", report.missingInReference()));
        }
        c.typeProblems().forEach((column, problem) -> out.println("type problem in " + column + " (compared as categories): " + problem));
        out.printf(Locale.ROOT, "%d of %d features drifted (%.0f%%): %s%n", report.driftedCount(), report.features().size(),
                100 * report.shareDrifted(), report.datasetDrift() ? "the data set DRIFTED" : "no data-set drift");
        if (c.timeline() != null) {
            out.println();
            out.println("by " + buckets.label() + (timeColumn == null ? " of logged time:" : " of " + timeColumn + ":"));
            out.print(timeline(c.timeline()));
        }
        FeatureDrift prediction = c.prediction();
        if (prediction != null) {
            out.println("model output: " + (prediction.drift() ? "DRIFTED" : "no drift")
                    + (prediction.psi() == null ? "" : String.format(Locale.ROOT, " (PSI %.3f)", prediction.psi())));
        }
    }

    private static String timeline(List<DriftTimeline.Point> timeline) {
        Table t = new Table("window from", "rows", "drifted features", "highest PSI", "output PSI", "output drift");
        for (DriftTimeline.Point p : timeline) {
            FeatureDrift top = p.maxPsiFeature();
            t.row(p.start().toString(), p.rows(), p.inputs().driftedCount() + " of " + p.inputs().features().size()
                            + (p.inputs().driftedCount() == 0 ? "" : " (" + String.join(", ", p.inputs().features().stream()
                            .filter(FeatureDrift::drift).map(FeatureDrift::name).toList()) + ")"),
                    top == null ? "" : String.format(Locale.ROOT, "%.3f %s", top.psi(), top.name()),
                    p.prediction().psi() == null ? "" : String.format(Locale.ROOT, "%.3f", p.prediction().psi()),
                    p.prediction().drift() ? "DRIFT" : "");
        }
        return t.render();
    }

    private static String describe(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder();
            m.forEach((k, v) -> {
                if (v != null && !(v instanceof List<?> l && l.isEmpty()) && !"kind".equals(k)) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v);
                }
            });
            return m.get("kind") + " (" + sb + ")";
        }
        return String.valueOf(o);
    }

    static String table(DriftReport report, FeatureDrift prediction) {
        Table t = new Table("feature", "type", "KS D", "KS p", "PSI", "chi2 p", "unseen", "missing ref→cur", "drift");
        for (FeatureDrift f : report.features()) {
            row(t, f, f.name());
        }
        if (prediction != null) {
            row(t, prediction, "(model output)");
        }
        return t.render();
    }

    private static void row(Table t, FeatureDrift f, String name) {
        t.row(name, f.type(), num(f.ksStatistic()), p(f.ksPValue()), num(f.psi()), p(f.chiSquarePValue()),
                f.unseenShare() == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * f.unseenShare()),
                String.format(Locale.ROOT, "%.1f%%→%.1f%%", 100 * f.referenceMissingShare(), 100 * f.currentMissingShare()),
                f.drift() ? "DRIFT" : "");
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
