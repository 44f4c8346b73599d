package dev.kiln.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.DriftTimeline;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.monitor.performance.PerformanceReport;
import dev.kiln.monitor.performance.PerformanceSpec;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.TrainingReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A drift story on real data: Seattle's daily weather (NOAA, 2012-2015, shipped with Kiln).",
                "Trains on 2012-2013, registers and serves the model over HTTP with its prediction log, replays every "
                        + "day of 2014-2015 in date order with the observed weather sent as feedback, then reports "
                        + "input drift, output drift and accuracy window by window (by the date column), and runs the "
                        + "alert rules. Everything stays under the Kiln home; rerunning registers a new version."})
final class DriftDemo implements Callable<Integer> {
    static final String MODEL = "seattle";
    static final String DATASET = "seattle-weather.csv";

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "3mo",
            description = "report windows by the date column: calendar months (1mo, 3mo) or a width (30d) (default: ${DEFAULT-VALUE})")
    String window;

    @Option(names = "--algorithms", paramLabel = "LIST", split = ",", defaultValue = "baseline,linear,tree,gbdt",
            description = "candidates to train (default: ${DEFAULT-VALUE})")
    List<String> algorithms;

    @Option(names = "--json", description = "print the reports as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Buckets width = Buckets.parse(window, "--window");
        Path home = store.home();
        PrintWriter out = spec.commandLine().getOut();
        Split split = split(home.resolve("demo").resolve("seattle-weather"));
        say(out, "== 1. Train on 2012-2013 (" + split.trainDays() + " days), predict 'weather' from the measurements ==");
        Trained trained = trainAndRegister(home, split.train());
        if (!json) {
            out.print(Reports.leaderboard(trained.report()));
            out.println("chosen: " + trained.report().chosen() + "; registered " + MODEL + ":" + trained.version().version()
                    + " as production");
        }

        say(out, "\n== 2. Serve it and replay 2014-2015 (" + split.replayDays() + " days) in date order, "
                + "sending each day's observed weather as feedback ==");
        Path logDir = Home.predictionLogs(home);
        Instant replayStarted = Instant.now();
        int sent = serveAndReplay(trained, logDir, split.replay(), out);

        PredictionLogReader log = new PredictionLogReader(logDir, MODEL);
        LogWindow thisReplay = new LogWindow(replayStarted.minusSeconds(1), null);
        KilnModel model = KilnModel.load(trained.bundle());
        List<DriftTimeline.Point> timeline = DriftTimeline.compute(log, thisReplay, model.manifest().inputSchema(),
                model.task(), model.manifest().positiveClass(), model.bundle().referenceSketch(), width, "date",
                DriftThresholds.defaults());
        PerformanceReport performance = PerformanceAnalyzer.analyze(log, thisReplay,
                PerformanceSpec.of(model.manifest(), width, "date"));

        say(out, "\n== 3. Drift and accuracy by " + window + " window of the date column ==");
        double trainedAccuracy = trained.report().leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst()
                .map(c -> c.testMetrics().get("accuracy")).orElse(Double.NaN);
        if (!json) {
            out.print(timelineTable(timeline, performance, trained.version()));
            out.printf(Locale.ROOT, "accuracy on the 2012-2013 test rows when trained: %.3f%n", trainedAccuracy);
        }

        say(out, "\n== 4. The alert rules (defaults: feature PSI > 0.2, output PSI > 0.2, accuracy drop > 0.05, p99 > 100 ms) ==");
        Monitoring.CheckResult check = checkAlerts(log, replayStarted);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("registered", Map.of("name", MODEL, "version", trained.version().version()));
            result.put("trained_accuracy", trainedAccuracy);
            result.put("replayed", sent);
            result.put("timeline", timeline);
            result.put("performance", performance);
            result.put("check", check);
            Reports.json(out, result);
        } else {
            printAlerts(out, check);
        }
        out.flush();
        return 0;
    }

    /** The shipped data split by year: 2012-2013 to train on, 2014-2015 to replay, written under {@code dir}. */
    private record Split(Path train, int trainDays, Path replay, int replayDays) {
    }

    /** The trained model's report, its registered version (production) and that version's bundle. */
    private record Trained(TrainingReport report, ModelVersion version, Path bundle) {
    }

    private static Split split(Path dir) throws IOException {
        List<String> lines = new String(resource(), StandardCharsets.UTF_8).lines().toList();
        String header = lines.get(0);
        List<String> train = new ArrayList<>(List.of(header));
        List<String> replay = new ArrayList<>(List.of(header));
        for (String line : lines.subList(1, lines.size())) {
            (line.startsWith("2012") || line.startsWith("2013") ? train : replay).add(line);
        }
        return new Split(write(dir, "train-2012-2013.csv", train), train.size() - 1,
                write(dir, "replay-2014-2015.csv", replay), replay.size() - 1);
    }

    private Trained trainAndRegister(Path home, Path trainFile) {
        TrainOptions options = new TrainOptions(trainFile, "weather", null, null, null, 0.2, 0.2, 42,
                algorithms, List.of("date"), null, null,
                home.resolve("bundles").resolve("seattle-demo"), true);
        try (KilnStore s = store.open(); Progress progress = new Progress("demo", !json)) {
            Tracking.Tracked tracked = Tracking.train(s, "demo-drift", options, progress);
            TrainingReport report = tracked.report();
            ModelVersion version = s.registry().register(MODEL, Path.of(report.bundle()), tracked.run().id(), Promotion.actor(),
                    "kiln demo drift");
            s.registry().setAlias(MODEL, "production", version.version(), Promotion.actor(), "kiln demo drift", Map.of());
            return new Trained(report, version, s.registry().bundlePath(version));
        }
    }

    /** Serves the version with its prediction log under {@code logDir} and replays {@code replayFile}; the rows sent. */
    private int serveAndReplay(Trained trained, Path logDir, Path replayFile, PrintWriter out) throws IOException, InterruptedException {
        ModelHost host = new ModelHost();
        host.load(MODEL, trained.bundle(), Integer.toString(trained.version().version()));
        try (InferenceServer server = InferenceServer.start(host, null, 0, new PredictionLog(logDir))) {
            int sent = replay(server.port(), replayFile);
            if (!json) {
                out.println("served " + sent + " predictions on http://127.0.0.1:" + server.port() + "; prediction log under " + logDir);
            }
            return sent;
        }
    }

    /** Drift and accuracy of {@code version}, window by window. */
    private static String timelineTable(List<DriftTimeline.Point> timeline, PerformanceReport performance, ModelVersion version) {
        Map<Instant, PerformanceReport.Window> perfByStart = new LinkedHashMap<>();
        for (PerformanceReport.Window w : performance.windows()) {
            if (w.version().equals(Integer.toString(version.version()))) {
                perfByStart.put(w.start(), w);
            }
        }
        Table t = new Table("window from", "days", "drifted features", "highest PSI", "output PSI", "output drift", "accuracy");
        for (DriftTimeline.Point p : timeline) {
            FeatureDrift top = p.maxPsiFeature();
            PerformanceReport.Window perf = perfByStart.get(p.start());
            t.row(p.start().toString().substring(0, 10), p.rows(),
                    p.inputs().driftedCount() + " of " + p.inputs().features().size()
                            + (p.inputs().driftedCount() == 0 ? "" : " (" + String.join(", ", p.inputs().features().stream()
                            .filter(FeatureDrift::drift).map(FeatureDrift::name).toList()) + ")"),
                    top == null ? "" : String.format(Locale.ROOT, "%.2f %s", top.psi(), top.name()),
                    p.prediction().psi() == null ? "" : String.format(Locale.ROOT, "%.2f", p.prediction().psi()),
                    p.prediction().drift() ? "DRIFT" : "",
                    perf == null || perf.metrics().get("accuracy") == null ? ""
                            : String.format(Locale.ROOT, "%.3f", perf.metrics().get("accuracy")));
        }
        return t.render();
    }

    /** The default alert rules over the whole replay. */
    private Monitoring.CheckResult checkAlerts(PredictionLogReader log, Instant replayStarted) {
        AlertRules rules = AlertRules.defaults();
        try (KilnStore s = store.open()) {
            return Monitoring.check(s, log, Monitoring.resolver(s, MODEL, null), MODEL,
                    new AlertRules(Duration.between(replayStarted, Instant.now()).plusMinutes(1), rules.every(), rules.rules(),
                            null, null), Instant.now(), null);
        }
    }

    private static void printAlerts(PrintWriter out, Monitoring.CheckResult check) {
        Table t = new Table("rule", "status", "alert", "message");
        for (Monitoring.Outcome o : check.outcomes()) {
            t.row(o.rule(), o.status().toUpperCase(Locale.ROOT), o.alertId() == null ? "" : "#" + o.alertId() + " " + o.action(),
                    o.message());
        }
        out.print(t.render());
        out.println();
        out.println("What happened: the inputs follow the seasons, so single windows drift from the all-year "
                + "reference and come back, while over the two years they stay close to it. The labels changed "
                + "meaning in 2014 (fog replaces rain), so in the wet quarters the model says rain where the labels "
                + "say fog and accuracy collapses although the inputs look familiar: the alert that fires is the one "
                + "on delayed labels. Input drift alone would not have told you.");
        out.println("Next: ./kiln monitor performance --model " + MODEL + " --time-column date --window 1mo");
        out.println("      ./kiln drift --reference " + MODEL + " --logs " + MODEL);
        out.println("      ./kiln monitor alerts --model " + MODEL);
    }

    private void say(PrintWriter out, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }

    /** Posts every row (weather left out) to the records endpoint, then its observed weather as feedback. */
    private static int replay(int port, Path file) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> rows = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] names = rows.get(0).split(",");
        int sent = 0;
        for (String line : rows.subList(1, rows.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Object> instance = new LinkedHashMap<>();
            String label = null;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals("weather")) {
                    label = cells[i];
                } else if (names[i].equals("date")) {
                    instance.put("date", cells[i]);
                } else {
                    instance.put(names[i], Double.parseDouble(cells[i]));
                }
            }
            JsonNode answer = post(http, port, MODEL + ":predict", Map.of("instances", List.of(instance)), 200);
            post(http, port, MODEL + ":feedback", Map.of("request_id", answer.get("request_id").asText(), "label", label), 202);
            sent++;
        }
        return sent;
    }

    static JsonNode post(HttpClient http, int port, String route, Object body, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/" + route))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new KilnException(ErrorCode.INTERNAL, "the demo server answered " + r.statusCode() + " to " + route + ": " + r.body());
        }
        return Json.mapper().readTree(r.body());
    }

    /** The shipped Seattle weather data (both demos replay it). */
    static byte[] resource() throws IOException {
        try (InputStream in = DriftDemo.class.getResourceAsStream("/dev/kiln/app/demo/" + DATASET)) {
            if (in == null) {
                throw new KilnException(ErrorCode.INTERNAL, "the demo dataset is missing from this build");
            }
            return in.readAllBytes();
        }
    }

    static Path write(Path dir, String name, List<String> lines) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(target) && Checksums.sha256(target).equals(Checksums.sha256(bytes))) {
            return target;
        }
        AtomicFiles.write(target, bytes);
        return target;
    }
}
