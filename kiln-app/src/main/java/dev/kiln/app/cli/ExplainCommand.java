package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.monitoring.LogSource;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Trace one served prediction from the prediction log: what was asked and answered, whether the "
                + "version that answered still gives the same answer, why (each input column's share of the score), "
                + "and which data, code and parameters made that version.",
                "The version is the registry's NAME:VERSION named in the log row; --ref gives the bundle directory "
                        + "instead, for a server that served one. Exit 3 when the request is not in the log."})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "NAME", description = "the served model name (its log folder)")
    String name;

    @Parameters(index = "1", paramLabel = "REQUEST_ID", description = "the request id the answer carried (request_id)")
    String requestId;

    @Option(names = "--row", paramLabel = "N", description = "only row N of the request (default: every row)")
    Integer row;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "the server's --log-dir (default: HOME/logs/predictions)")
    Path logDir;

    @Option(names = "--log-source", paramLabel = "URI",
            description = "read the log from a Kafka topic instead (kafka://HOST:PORT/TOPIC, the server's --log-sink); "
                    + "with --since, only that window of the topic is read")
    String logSource;

    @Option(names = "--since", paramLabel = "TIME", description = "read the log from this time only (ISO instant, date, or an age such as 7d)")
    String since;

    @Option(names = "--ref", paramLabel = "BUNDLE_DIR", description = "the bundle the server served (when it served a directory, not a registry version)")
    Path ref;

    @Option(names = "--top", paramLabel = "N", defaultValue = "5", description = "reasons to print per row (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--top must be at least 1, not " + top, Map.of("field", "top"));
        }
        LogSource source = LogSource.of(logSource, logDir, Home.predictionLogs(store.home()));
        PredictionLogReader log = source.open(name);
        LogWindow window = since == null ? LogWindow.ALL : new LogWindow(LogWindow.parseTime(since, Instant.now(), "--since"), null);
        List<PredictionRecord> found = new ArrayList<>();
        log.predictions(window, r -> {
            if (requestId.equals(r.requestId()) && (row == null || r.row() == row)) {
                found.add(r);
            }
        });
        if (found.isEmpty()) {
            throw new KilnException(ErrorCode.PREDICTION_NOT_FOUND, "no prediction of request '" + requestId + "'"
                    + (row == null ? "" : " row " + row) + " in the log of model '" + name + "' " + (log.modelDir() != null ? "under " : "on ") + log.where()
                    + (since == null ? "" : " since " + since), Map.of("request_id", requestId, "model", name));
        }
        List<Map<String, Object>> traced = new ArrayList<>();
        List<String> why = new ArrayList<>();  // each row's reasons as text
        try (KilnStore s = ref == null ? store.open() : null) {
            Function<String, KilnModel> models = Monitoring.resolver(s, name, ref);
            for (PredictionRecord r : found) {
                KilnModel model = models.apply(r.version());
                Explanation e = model.explainable() ? model.explain(r.inputs()) : null;
                traced.add(trace(r, model, e, s));
                why.add(e == null ? null : Reports.reasons(e, r.inputs(), top, "  "));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("request_id", requestId);
            m.put("model", name);
            m.put("rows", traced);
            Reports.json(out, m);
        } else {
            for (int i = 0; i < traced.size(); i++) {
                out.print(text(traced.get(i), why.get(i)));
            }
        }
        out.flush();
        return 0;
    }

    /** One logged row: what was asked and answered, the answer again from the same version, why, and where that version came from. */
    private Map<String, Object> trace(PredictionRecord r, KilnModel model, Explanation e, KilnStore s) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("row", r.row());
        t.put("time", r.time() == null ? null : r.time().toString());
        t.put("version", r.version());
        t.put("latency_ms", r.latencyMs());
        t.put("inputs", r.inputs());
        Map<String, Object> served = new LinkedHashMap<>();
        served.put("prediction", r.prediction());
        served.put("probabilities", r.probabilities());
        t.put("served", served);
        Prediction again = model.predict(r.inputs());
        t.put("reproduced", reproduces(r, again));
        Map<String, Object> now = new LinkedHashMap<>();
        now.put("prediction", again.prediction());
        now.put("probabilities", again.probabilities());
        t.put("rescored", now);
        if (e != null) {
            t.put("explanation", e.toMap());
            List<Map<String, Object>> reasons = new ArrayList<>();
            for (Map.Entry<String, Double> c : e.top(top)) {
                Map<String, Object> reason = new LinkedHashMap<>();
                reason.put("column", c.getKey());
                reason.put("value", r.inputs().get(c.getKey()));
                reason.put("contribution", c.getValue());
                reasons.add(reason);
            }
            t.put("reasons", reasons);
            t.put("explained_output", e.outputs().get(0));
            t.put("space", e.space());
            t.put("base", e.base());
        } else {
            t.put("explanation", null);
            t.put("explanation_unavailable", "bundle format " + model.manifest().formatVersion() + " predates explanations (1.2); retrain to explain");
        }
        t.put("lineage", lineage(r.version(), model, s));
        return t;
    }

    /** The same label and, to 1e-9, the same probabilities (or value): the version still answers as it did. */
    private static boolean reproduces(PredictionRecord r, Prediction again) {
        if (r.prediction() instanceof Number logged && again.prediction() instanceof Number value) {
            double a = logged.doubleValue();
            double b = value.doubleValue();
            return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
        }
        if (!String.valueOf(r.prediction()).equals(String.valueOf(again.prediction()))) {
            return false;
        }
        for (Map.Entry<String, Double> p : again.probabilities().entrySet()) {
            Double logged = r.probabilities().get(p.getKey());
            if (logged == null || Math.abs(logged - p.getValue()) > 1e-9) {
                return false;
            }
        }
        return true;
    }

    private Map<String, Object> lineage(String version, KilnModel model, KilnStore s) {
        Lineage l = model.manifest().lineage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", ref != null ? ref.toAbsolutePath().normalize().toString() : name + ":" + version);
        m.put("algorithm", model.manifest().algorithm());
        if (s != null) {
            ModelVersion v = s.registry().resolve(new ModelRef(name, null, Integer.parseInt(version)));
            m.put("run_id", v.sourceRunId());
            m.put("bundle_sha256", v.bundleSha256());
        }
        if (l != null) {
            m.put("dataset", l.datasetSource());
            m.put("dataset_sha256", l.datasetSha256());
            m.put("dataset_rows", l.datasetRows());
            m.put("seed", l.seed());
            m.put("parameters", model.manifest().hyperparameters());
            m.put("kiln_version", l.kilnVersion());
            m.put("git_commit", l.gitCommit());
            m.put("trained", l.createdAt());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static String text(Map<String, Object> t, String why) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> served = (Map<String, Object>) t.get("served");
        Map<String, Object> lineage = (Map<String, Object>) t.get("lineage");
        b.append(String.format(java.util.Locale.ROOT, "row %s, answered %s by %s in %.2f ms%n", t.get("row"), t.get("time"),
                lineage.get("model"), (Double) t.get("latency_ms")));
        b.append("  inputs:   ").append(t.get("inputs")).append('\n');
        b.append("  answer:   ").append(served.get("prediction"));
        Map<String, Double> probabilities = (Map<String, Double>) served.get("probabilities");
        if (!probabilities.isEmpty()) {
            b.append("  ").append(probabilities);
        }
        b.append('\n');
        b.append("  rescored: ").append(Boolean.TRUE.equals(t.get("reproduced"))
                ? "the same answer (this version still reproduces it)"
                : "DIFFERENT: " + ((Map<String, Object>) t.get("rescored")).get("prediction") + " "
                        + ((Map<String, Object>) t.get("rescored")).get("probabilities")).append('\n');
        if (why != null) {
            b.append(why);
        } else {
            b.append("  why:      ").append(t.get("explanation_unavailable")).append('\n');
        }
        b.append("  made by:  ").append(lineage.get("algorithm"));
        if (lineage.get("run_id") != null) {
            b.append(", run ").append(lineage.get("run_id"));
        }
        b.append(", dataset ").append(lineage.get("dataset")).append(" (sha256 ").append(lineage.get("dataset_sha256"))
                .append(", ").append(lineage.get("dataset_rows")).append(" rows), seed ").append(lineage.get("seed"))
                .append(", Kiln ").append(lineage.get("kiln_version"));
        Object commit = lineage.get("git_commit");
        if (commit != null && !commit.toString().isBlank()) {
            b.append(" (commit ").append(commit).append(')');
        }
        b.append(", trained ").append(lineage.get("trained")).append('\n');
        b.append("  parameters: ").append(lineage.get("parameters")).append('\n');
        return b.toString();
    }
}
