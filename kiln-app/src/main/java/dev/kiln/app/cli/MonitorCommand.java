package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.store.ModelSource;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.monitoring.LogSource;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.app.monitoring.ServedSlices;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.monitor.performance.PerformanceEstimator;
import dev.kiln.monitor.performance.PerformanceReport;
import dev.kiln.monitor.performance.PerformanceSpec;
import dev.kiln.runtime.KilnModel;
import dev.kiln.store.Alert;
import dev.kiln.store.KilnStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Its verbs are listed in {@link Cli#VERBS}, which adds them when the command line is built. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Watch served models: performance on delayed labels, alert rules, alerts.")
final class MonitorCommand implements Runnable {
    static final int EXIT_FIRING = 6;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options that find a served model's log and its bundles. */
    static final class Served {
        @Option(names = "--model", required = true, paramLabel = "NAME", description = "the served model's name (kiln serve --model NAME=...)")
        String name;

        @Option(names = "--ref", paramLabel = "REF",
                description = "where its versions come from: a registry model name (default: NAME) or, for a model served from a bundle directory, that directory")
        String ref;

        @Option(names = "--log-dir", paramLabel = "DIR", description = "the server's --log-dir (default: HOME/logs/predictions)")
        Path logDir;

        @Option(names = "--log-source", paramLabel = "URI",
                description = "read the log from Kafka instead, as kiln serve --log-sink sent it: kafka://HOST:PORT[,HOST:PORT]/TOPIC")
        String logSource;

        PredictionLogReader reader(StoreOptions store) {
            return LogSource.of(logSource, logDir, Home.predictionLogs(store.home())).open(name);
        }

        boolean fromDirectory() {
            return ref != null && ModelSource.looksLikePath(ref);
        }

        /** Resolves the versions the log names: the bundle directory of --ref, else the registry model. */
        Function<String, KilnModel> resolver(KilnStore s, StoreOptions store) {
            return fromDirectory() ? Monitoring.resolver(s, null, ModelSource.load(ref, store).bundle())
                    : Monitoring.resolver(s, registryName(), null);
        }

        String registryName() {
            return ref != null && !fromDirectory() ? ref : name;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Evaluate the alert rules for a served model now: drift of its inputs and output over the rules' window "
                    + "of its prediction log against its bundle's reference, performance on the feedback received, and latency.",
                    "Alerts open when a rule fires, are updated while it keeps firing, and resolve when it clears; openings and "
                            + "resolutions go to the webhook, and a retrain policy may register a new version.",
                    "Without --rules the defaults apply: feature PSI > 0.2, output PSI > 0.2, test metric drop > 0.05, "
                            + "error rate > 1%% (inside kiln serve only), p99 > 100 ms."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:evaluated", "2:bad input (rules file, options)", "3:not found (log, model)",
                    "6:a rule is firing and --fail-on-alert was given"})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Served served = new Served();

        @Option(names = "--rules", paramLabel = "FILE", description = "alert rules (JSON); see docs/monitoring.md")
        Path rules;

        @Option(names = "--at", paramLabel = "TIME", description = "evaluate as of this time (default: now); the window ends here")
        String at;

        @Option(names = "--fail-on-alert", description = "exit with 6 when a rule is firing")
        boolean failOnAlert;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Override
        public Integer call() {
            AlertRules r = rules == null ? AlertRules.defaults() : AlertRules.load(rules);
            Instant now = at == null ? Instant.now() : LogWindow.parseTime(at, Instant.now(), "--at");
            PredictionLogReader log = served.reader(store);
            Monitoring.CheckResult result;
            try (KilnStore s = store.open()) {
                result = Monitoring.check(s, log, served.resolver(s, store), served.registryName(), r, now, null);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, result);
            } else {
                out.println("model " + result.model() + (result.version() == null ? "" : " version " + result.version())
                        + ", window " + result.since() + " to " + result.until() + ": " + result.rows() + " predictions");
                for (String note : result.notes()) {
                    out.println("note: " + note);
                }
                if (!result.outcomes().isEmpty()) {
                    Table t = new Table("rule", "kind", "status", "severity", "alert", "message");
                    for (Monitoring.Outcome o : result.outcomes()) {
                        t.row(o.rule(), o.kind(), o.status().toUpperCase(Locale.ROOT), o.severity(),
                                o.alertId() == null ? "" : "#" + o.alertId() + " " + o.action(), o.message());
                    }
                    out.print(t.render());
                }
                for (Monitoring.Outcome o : result.outcomes()) {
                    if (o.webhookError() != null) {
                        out.println("webhook: " + o.webhookError());
                    }
                    if (o.retrain() != null) {
                        out.println("retrain (" + o.rule() + "): " + o.retrain());
                    }
                }
            }
            out.flush();
            return failOnAlert && result.firing() ? EXIT_FIRING : 0;
        }
    }

    @Command(name = "alerts", mixinStandardHelpOptions = true, description = "List alerts with their evidence, newest first.")
    static final class Alerts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "NAME", description = "only this served model's alerts")
        String model;

        @Option(names = "--open", description = "only alerts that are still open")
        boolean open;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N alerts (default: ${DEFAULT-VALUE})")
        int limit;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the alerts as JSON")
        boolean json;

        @Override
        public Integer call() {
            List<Alert> alerts;
            try (KilnStore s = store.open()) {
                alerts = s.alerts().list(model, open, limit);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, Map.of("alerts", alerts));
            } else if (alerts.isEmpty()) {
                out.println(open ? "no open alerts" : "no alerts");
            } else {
                Table t = new Table("id", "model", "version", "rule", "severity", "status", "first seen", "last seen", "seen", "message");
                for (Alert a : alerts) {
                    t.row("#" + a.id(), a.model(), a.version(), a.rule(), a.severity(), a.status(), a.firstSeenAt(),
                            a.lastSeenAt(), a.timesSeen(), a.message());
                }
                out.print(t.render());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "performance", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Quality of a served model over time: its logged predictions joined with the feedback sent later "
                    + "(POST /v1/models/NAME:feedback) by request id, per version and window; a shadow's rows (kiln serve --shadow) "
                    + "are measured on the same feedback, over the whole period.",
                    "Classification: accuracy, ROC AUC (binary), log loss, the positive rate, and the cost per row under the "
                            + "model's cost matrix; regression: RMSE and MAE; rewards: their mean.",
                    "Classifiers also get their accuracy and ROC AUC estimated before any label (CBPE: from the probabilities "
                            + "calibrated on the validation rows when trained, bundle format 1.3+), with a 95%% band, beside the "
                            + "realised value on the rows labelled so far."})
    static final class Performance implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Served served = new Served();

        @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1d", description = "each window: a width (1h, 1d, 7d) or calendar months in UTC (1mo, 3mo) (default: ${DEFAULT-VALUE})")
        String window;

        @Option(names = "--since", paramLabel = "TIME", description = "logged from this time (ISO instant, date, or an age such as 7d)")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "logged before this time")
        String until;

        @Option(names = "--time-column", paramLabel = "COL",
                description = "place each row in time by this input column (the event's own date) instead of the time it was logged")
        String timeColumn;

        @Option(names = "--slice-by", paramLabel = "COLS", split = ",",
                description = "also the labelled rows of each group of these input columns (values, or quartiles of a number; "
                        + "a*b for both at once), "
                        + "every version together, with the fairness gaps between the groups for a binary model")
        List<String> sliceBy = List.of();

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            LogWindow w = new LogWindow(LogWindow.parseTime(since, now, "--since"), LogWindow.parseTime(until, now, "--until"));
            PredictionLogReader log = served.reader(store);
            KilnModel model;
            Buckets buckets = Buckets.parse(window, "--window");
            EstimateReport estimate = null;
            try (KilnStore s = store.open()) {
                model = served.fromDirectory() ? ModelSource.load(served.ref, store).model()
                        : ModelSource.load(served.registryName(), s).model();
                if (model.task().isClassification()) {
                    estimate = PerformanceEstimator.estimate(log, w, served.resolver(s, store), buckets, timeColumn);
                }
            }
            PerformanceSpec spec = PerformanceSpec.of(model.manifest(), buckets, timeColumn);
            PerformanceReport report = PerformanceAnalyzer.analyze(log, w, spec);
            ServedSlices.Result slices = sliceBy.isEmpty() ? null : ServedSlices.measure(log, w, model, sliceBy);
            PrintWriter out = this.spec.commandLine().getOut();
            if (json) {
                if (slices == null && estimate == null) {
                    Reports.json(out, report);
                } else {
                    Map<String, Object> m = Reports.asMap(report);
                    if (estimate != null) {
                        m.put("estimates", estimate);
                    }
                    if (slices != null) {
                        m.put("slices", slices.slices());
                        m.put("sliced_rows", slices.labelled());
                        m.put("slice_rows_unusable", slices.unusable());
                    }
                    Reports.json(out, m);
                }
            } else {
                out.print(render(report));
                if (estimate != null) {
                    out.print(EstimateTable.render(estimate));
                }
                if (slices != null) {
                    out.print(Reports.slices(slices.slices(), model.task(), model.manifest().positiveClass(),
                            slices.labelled() + " labelled rows, all versions, as answered"));
                    if (slices.unusable() > 0) {
                        out.println(slices.unusable() + " labelled rows left out: their label or input does not fit the model");
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    static String render(PerformanceReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("model ").append(r.model()).append(" (").append(r.task()).append("), windows of ").append(r.window())
                .append(" by ").append(r.timeSource().equals("logged") ? "logged time" : r.timeSource().substring(6)).append('\n');
        boolean binary = r.task().equals("binary");
        boolean regression = r.task().equals("regression");
        Table t = regression
                ? new Table("window start", "version", "predictions", "labelled", "rmse", "mae", "reward")
                : new Table("window start", "version", "predictions", "labelled", "accuracy", binary ? "roc_auc" : "log_loss",
                binary ? "cost/row" : "", "reward");
        for (PerformanceReport.Window w : r.windows()) {
            addRow(t, w, String.valueOf(w.start()), binary, regression);
        }
        for (PerformanceReport.Window w : r.versions()) {
            addRow(t, w, "all", binary, regression);
        }
        for (PerformanceReport.Window w : r.shadows()) {
            addRow(t, w, "all (shadow)", binary, regression);
        }
        sb.append(t.render());
        for (PerformanceReport.Comparison c : r.comparisons()) {
            sb.append(String.format(Locale.ROOT, "%s %s vs %s: %s %.4f vs %.4f, difference %+.4f (95%% CI %+.4f to %+.4f), p = %.3g (%d vs %d)%n",
                    c.shadow() ? "shadow" : "version", c.version(), c.against(), c.metric(), c.value(), c.againstValue(), c.difference(),
                    c.ciLow(), c.ciHigh(), c.pValue(), c.n(), c.againstN()));
        }
        sb.append(String.format(Locale.ROOT, "feedback: %d records, %d matched no logged prediction, %d labels not usable%n",
                r.feedbackRecords(), r.feedbackUnmatched(), r.labelsUnknown()));
        for (String e : r.labelsUnknownExamples()) {
            sb.append("  ").append(e).append('\n');
        }
        if (r.predictionsRead().malformed() + r.feedbackRead().malformed() > 0) {
            sb.append("unreadable log lines: ").append(r.predictionsRead().malformed() + r.feedbackRead().malformed()).append('\n');
        }
        return sb.toString();
    }

    private static void addRow(Table t, PerformanceReport.Window w, String start, boolean binary, boolean regression) {
        Map<String, Double> m = w.metrics();
        if (regression) {
            t.row(start, w.version(), w.predictions(), w.labelled(), num(m.get("rmse")), num(m.get("mae")), num(w.rewardMean()));
        } else {
            t.row(start, w.version(), w.predictions(), w.labelled(), num(m.get("accuracy")),
                    num(binary ? m.get("roc_auc") : m.get("log_loss")), binary ? num(w.costPerRow()) : "", num(w.rewardMean()));
        }
    }

    private static String num(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.3f", d);
    }
}
