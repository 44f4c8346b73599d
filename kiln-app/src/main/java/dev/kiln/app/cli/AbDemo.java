package dev.kiln.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.promotion.Promotion;
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
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.TrainOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Several versions under one name, on the German credit data shipped with Kiln.",
                "Trains a linear model and a gradient-boosted one on the first 600 applicants and registers both; "
                        + "serves the linear one as production with the boosted one as a 50%% canary (by customer, "
                        + "Kiln-Route-Key) and a decision tree as a shadow; sends the other 400 applicants, each "
                        + "followed by its true outcome as feedback; then compares the versions as kiln monitor "
                        + "performance does, with confidence intervals."})
final class AbDemo implements Callable<Integer> {
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
        Path trainFile = DriftDemo.write(dir, "train.csv", lines.subList(0, TRAIN_ROWS + 1));
        dev.kiln.data.DataFrame frame = dev.kiln.data.DataReader.read(data);
        PrintWriter out = spec.commandLine().getOut();
        say(out, "== 1. Train three candidates on the first " + TRAIN_ROWS + " applicants and register them ==");
        Map<String, Registered> byAlgorithm = trainAndRegister(home, trainFile);
        String linear = byAlgorithm.get("linear").label();
        String gbdt = byAlgorithm.get("gbdt").label();
        String tree = byAlgorithm.get("tree").label();
        say(out, "registered " + MODEL + ":" + linear + " (linear, production), :" + gbdt + " (gbdt, staging), :" + tree + " (tree)");

        say(out, "\n== 2. Serve " + linear + " with " + gbdt + " as a 50% canary and " + tree + " as a shadow; send the other "
                + (frame.rowCount() - TRAIN_ROWS) + " applicants, each followed by its outcome ==");
        Path logDir = dir.resolve("logs");
        Instant started = Instant.now();
        Map<String, Integer> answered = serveAndSend(byAlgorithm, frame, logDir);
        say(out, "answered: " + answered + " (version: requests); prediction log under " + logDir);

        say(out, "\n== 3. The versions on the same stream of applicants and their outcomes ==");
        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logDir, MODEL),
                new LogWindow(started.minusSeconds(1), null),
                PerformanceSpec.of(byAlgorithm.get("linear").model().manifest(), Buckets.parse("1d", "--window"), null));
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

    /** A registered version and its loaded model. */
    private record Registered(ModelVersion version, KilnModel model) {
        String label() {
            return Integer.toString(version.version());
        }
    }

    /** Trains linear, gbdt and tree, registers each, and points production at linear and staging at gbdt. */
    private Map<String, Registered> trainAndRegister(Path home, Path trainFile) {
        Map<String, Registered> byAlgorithm = new LinkedHashMap<>();
        try (KilnStore s = store.open(); Progress progress = new Progress("demo", !json)) {
            for (String algorithm : List.of("linear", "gbdt", "tree")) {
                TrainOptions options = new TrainOptions(trainFile, "class", null, null, null, 0.2, 0.2, 42,
                        List.of("baseline", algorithm), List.of(), null, null,
                        home.resolve("bundles").resolve("credit-ab-" + algorithm), true);
                Tracking.Tracked tracked = Tracking.train(s, "demo-ab", options, progress);
                ModelVersion v = s.registry().register(MODEL, Path.of(tracked.report().bundle()), tracked.run().id(),
                        Promotion.actor(), "kiln demo ab: " + algorithm);
                byAlgorithm.put(algorithm, new Registered(v, KilnModel.load(s.registry().bundlePath(v))));
            }
            s.registry().setAlias(MODEL, "production", byAlgorithm.get("linear").version().version(), Promotion.actor(),
                    "kiln demo ab", Map.of());
            s.registry().setAlias(MODEL, "staging", byAlgorithm.get("gbdt").version().version(), Promotion.actor(),
                    "kiln demo ab", Map.of());
        }
        return byAlgorithm;
    }

    /**
     * Serves linear with gbdt as a 50% canary and tree as a shadow, sends every applicant after the training rows
     * (keyed by applicant) followed by its outcome as feedback; how many requests each version answered.
     */
    private static Map<String, Integer> serveAndSend(Map<String, Registered> byAlgorithm, dev.kiln.data.DataFrame frame,
                                                     Path logDir) throws IOException, InterruptedException {
        ModelHost host = new ModelHost();
        host.put(MODEL, byAlgorithm.get("linear").model(), byAlgorithm.get("linear").label());
        host.putCanary(MODEL, byAlgorithm.get("gbdt").model(), byAlgorithm.get("gbdt").label(), 5_000);
        host.putShadow(MODEL, byAlgorithm.get("tree").model(), byAlgorithm.get("tree").label());
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
                DriftDemo.post(http, server.port(), MODEL + ":feedback", Map.of("request_id", answer.get("request_id").asText(),
                        "label", label), 202);
            }
        }
        return answered;
    }

    private void say(PrintWriter out, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }
}
