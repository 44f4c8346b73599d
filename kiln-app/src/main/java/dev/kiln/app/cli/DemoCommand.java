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

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Guided demonstrations on data shipped with Kiln.",
        subcommands = {DemoCommand.Drift.class, DemoCommand.Ab.class})
final class DemoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A drift story on real data: Seattle's daily weather (NOAA, 2012-2015, shipped with Kiln).",
                    "Trains on 2012-2013, registers and serves the model over HTTP with its prediction log, replays every "
                            + "day of 2014-2015 in date order with the observed weather sent as feedback, then reports "
                            + "input drift, output drift and accuracy window by window (by the date column), and runs the "
                            + "alert rules. Everything stays under the Kiln home; rerunning registers a new version."})
    static final class Drift implements Callable<Integer> {
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
            Path dir = home.resolve("demo").resolve("seattle-weather");
            List<String> lines = new String(resource(), StandardCharsets.UTF_8).lines().toList();
            String header = lines.get(0);
            List<String> train = new ArrayList<>(List.of(header));
            List<String> replay = new ArrayList<>(List.of(header));
            for (String line : lines.subList(1, lines.size())) {
                (line.startsWith("2012") || line.startsWith("2013") ? train : replay).add(line);
            }
            Path trainFile = write(dir, "train-2012-2013.csv", train);
            Path replayFile = write(dir, "replay-2014-2015.csv", replay);
            PrintWriter out = spec.commandLine().getOut();
            say(out, "== 1. Train on 2012-2013 (" + (train.size() - 1) + " days), predict 'weather' from the measurements ==");

            TrainOptions options = new TrainOptions(trainFile, "weather", null, null, null, 0.2, 0.2, 42,
                    algorithms, List.of("date"), null, null,
                    home.resolve("bundles").resolve("seattle-demo"), true);
            TrainingReport report;
            ModelVersion version;
            Path bundle;
            try (KilnStore s = store.open(); Progress progress = new Progress("demo", !json)) {
                Tracking.Tracked tracked = Tracking.train(s, "demo-drift", options, progress);
                report = tracked.report();
                version = s.registry().register(MODEL, Path.of(report.bundle()), tracked.run().id(), Promotion.actor(),
                        "kiln demo drift");
                s.registry().setAlias(MODEL, "production", version.version(), Promotion.actor(), "kiln demo drift", Map.of());
                bundle = s.registry().bundlePath(version);
            }
            if (!json) {
                out.print(Reports.leaderboard(report));
                out.println("chosen: " + report.chosen() + "; registered " + MODEL + ":" + version.version() + " as production");
            }

            say(out, "\n== 2. Serve it and replay 2014-2015 (" + (replay.size() - 1) + " days) in date order, "
                    + "sending each day's observed weather as feedback ==");
            Path logDir = Home.predictionLogs(home);
            ModelHost host = new ModelHost();
            host.load(MODEL, bundle, Integer.toString(version.version()));
            Instant replayStarted = Instant.now();
            int sent;
            try (InferenceServer server = InferenceServer.start(host, null, 0, new PredictionLog(logDir))) {
                sent = replay(server.port(), replayFile);
                if (!json) {
                    out.println("served " + sent + " predictions on http://127.0.0.1:" + server.port() + "; prediction log under " + logDir);
                }
            }

            PredictionLogReader log = new PredictionLogReader(logDir, MODEL);
            LogWindow thisReplay = new LogWindow(replayStarted.minusSeconds(1), null);
            KilnModel model = KilnModel.load(bundle);
            List<DriftTimeline.Point> timeline = DriftTimeline.compute(log, thisReplay, model.manifest().inputSchema(),
                    model.task(), model.manifest().positiveClass(), model.bundle().referenceSketch(), width, "date",
                    DriftThresholds.defaults());
            PerformanceReport performance = PerformanceAnalyzer.analyze(log, thisReplay,
                    PerformanceSpec.of(model.manifest(), width, "date"));

            say(out, "\n== 3. Drift and accuracy by " + window + " window of the date column ==");
            Map<Instant, PerformanceReport.Window> perfByStart = new LinkedHashMap<>();
            for (PerformanceReport.Window w : performance.windows()) {
                if (w.version().equals(Integer.toString(version.version()))) {
                    perfByStart.put(w.start(), w);
                }
            }
            double trained = report.leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst()
                    .map(c -> c.testMetrics().get("accuracy")).orElse(Double.NaN);
            if (!json) {
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
                out.print(t.render());
                out.printf(Locale.ROOT, "accuracy on the 2012-2013 test rows when trained: %.3f%n", trained);
            }

            say(out, "\n== 4. The alert rules (defaults: feature PSI > 0.2, output PSI > 0.2, accuracy drop > 0.05, p99 > 100 ms) ==");
            AlertRules rules = AlertRules.defaults();
            Monitoring.CheckResult check;
            try (KilnStore s = store.open()) {
                check = Monitoring.check(s, log, Monitoring.resolver(s, MODEL, null), MODEL,
                        new AlertRules(Duration.between(replayStarted, Instant.now()).plusMinutes(1), rules.every(), rules.rules(),
                                null, null), Instant.now(), null);
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("registered", Map.of("name", MODEL, "version", version.version()));
                result.put("trained_accuracy", trained);
                result.put("replayed", sent);
                result.put("timeline", timeline);
                result.put("performance", performance);
                result.put("check", check);
                Reports.json(out, result);
            } else {
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
            out.flush();
            return 0;
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

        private static byte[] resource() throws IOException {
            try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/kiln/app/demo/" + DATASET)) {
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

    @Command(name = "ab", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Several versions under one name, on the German credit data shipped with Kiln.",
                    "Trains a linear model and a gradient-boosted one on the first 600 applicants and registers both; "
                            + "serves the linear one as production with the boosted one as a 50%% canary (by customer, "
                            + "Kiln-Route-Key) and a decision tree as a shadow; sends the other 400 applicants, each "
                            + "followed by its true outcome as feedback; then compares the versions as kiln monitor "
                            + "performance does, with confidence intervals."})
    static final class Ab implements Callable<Integer> {
        static final String MODEL = "credit-ab";
        static final int TRAIN_ROWS = 600;

        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Path home = store.home();
            Path dir = home.resolve("demo").resolve("ab");
            Path data = QuickstartCommand.extractDataset(dir);
            List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
            Path trainFile = Drift.write(dir, "train.csv", lines.subList(0, TRAIN_ROWS + 1));
            dev.kiln.data.DataFrame frame = dev.kiln.data.DataReader.read(data);
            PrintWriter out = spec.commandLine().getOut();
            say(out, "== 1. Train three candidates on the first " + TRAIN_ROWS + " applicants and register them ==");
            Map<String, ModelVersion> versions = new LinkedHashMap<>();
            Map<String, KilnModel> models = new LinkedHashMap<>();
            try (KilnStore s = store.open(); Progress progress = new Progress("demo", !json)) {
                for (String algorithm : List.of("linear", "gbdt", "tree")) {
                    TrainOptions options = new TrainOptions(trainFile, "class", null, null, null, 0.2, 0.2, 42,
                            List.of("baseline", algorithm), List.of(), null, null,
                            home.resolve("bundles").resolve("credit-ab-" + algorithm), true);
                    Tracking.Tracked tracked = Tracking.train(s, "demo-ab", options, progress);
                    ModelVersion v = s.registry().register(MODEL, Path.of(tracked.report().bundle()), tracked.run().id(),
                            Promotion.actor(), "kiln demo ab: " + algorithm);
                    versions.put(algorithm, v);
                    models.put(algorithm, KilnModel.load(s.registry().bundlePath(v)));
                }
                s.registry().setAlias(MODEL, "production", versions.get("linear").version(), Promotion.actor(), "kiln demo ab", Map.of());
                s.registry().setAlias(MODEL, "staging", versions.get("gbdt").version(), Promotion.actor(), "kiln demo ab", Map.of());
            }
            String linear = Integer.toString(versions.get("linear").version());
            String gbdt = Integer.toString(versions.get("gbdt").version());
            String tree = Integer.toString(versions.get("tree").version());
            say(out, "registered " + MODEL + ":" + linear + " (linear, production), :" + gbdt + " (gbdt, staging), :" + tree + " (tree)");

            say(out, "\n== 2. Serve " + linear + " with " + gbdt + " as a 50% canary and " + tree + " as a shadow; send the other "
                    + (frame.rowCount() - TRAIN_ROWS) + " applicants, each followed by its outcome ==");
            ModelHost host = new ModelHost();
            host.put(MODEL, models.get("linear"), linear);
            host.putCanary(MODEL, models.get("gbdt"), gbdt, 5_000);
            host.putShadow(MODEL, models.get("tree"), tree);
            Path logDir = dir.resolve("logs");
            Instant started = Instant.now();
            Map<String, Integer> answered = new LinkedHashMap<>();
            HttpClient http = HttpClient.newHttpClient();
            try (InferenceServer server = InferenceServer.start(host, null, 0, new PredictionLog(logDir))) {
                for (int i = TRAIN_ROWS; i < frame.rowCount(); i++) {
                    Map<String, Object> row = new LinkedHashMap<>(frame.row(i));
                    String label = String.valueOf(row.remove("class"));
                    row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                    + "/v1/models/" + MODEL + ":predict")).header("Content-Type", "application/json")
                            .header(InferenceServer.ROUTE_KEY_HEADER, "applicant-" + i)
                            .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(Map.of("instances", List.of(row)))))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new KilnException(ErrorCode.INTERNAL, "the demo server answered " + r.statusCode() + ": " + r.body());
                    }
                    JsonNode answer = Json.mapper().readTree(r.body());
                    answered.merge(answer.get("model_version").asText(), 1, Integer::sum);
                    Drift.post(http, server.port(), MODEL + ":feedback", Map.of("request_id", answer.get("request_id").asText(),
                            "label", label), 202);
                }
            }
            say(out, "answered: " + answered + " (version: requests); prediction log under " + logDir);

            say(out, "\n== 3. The versions on the same stream of applicants and their outcomes ==");
            PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logDir, MODEL),
                    new LogWindow(started.minusSeconds(1), null),
                    PerformanceSpec.of(models.get("linear").manifest(), Buckets.parse("1d", "--window"), null));
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("versions", Map.of("production", linear, "canary", gbdt, "shadow", tree));
                result.put("answered", answered);
                result.put("performance", report);
                Reports.json(out, result);
            } else {
                out.print(MonitorCommand.render(report));
                out.println("What to read: the canary answered about half the applicants (the same ones every time, by "
                        + "Kiln-Route-Key), the shadow scored every one of them without answering any. Each comparison "
                        + "says whether a difference in accuracy is more than the noise of a few hundred outcomes: "
                        + "a p-value above 0.05 means these outcomes cannot tell the versions apart yet.");
                out.println("Next: ./kiln serve --model " + MODEL + "=" + MODEL + " --canary " + MODEL + "=" + MODEL
                        + "@staging --canary-steps " + MODEL + "=10,50,100");
                out.println("      ./kiln monitor performance --model " + MODEL + " --log-dir " + logDir);
            }
            out.flush();
            return 0;
        }

        private void say(PrintWriter out, String line) {
            if (!json) {
                out.println(line);
                out.flush();
            }
        }
    }
}
