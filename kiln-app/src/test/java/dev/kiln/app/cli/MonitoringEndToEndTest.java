package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.Json;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring loop as a user runs it: a model trained and registered, served over HTTP with its prediction log,
 * traffic and delayed labels sent, then {@code kiln drift}, {@code kiln monitor performance}, {@code kiln monitor
 * check} (alerts stored, posted to a webhook on the allow-list, a retrain registered) and {@code kiln monitor alerts}.
 * Two served names share one version: {@code credit} gets rows like the training data with their true labels,
 * {@code shifted} gets the same applicants twenty years older with three times the credit amount, and wrong labels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringEndToEndTest {
    @TempDir
    static Path home;

    Path data;
    final List<String> webhookBodies = new CopyOnWriteArrayList<>();
    HttpServer webhook;
    double servedAccuracy;

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    @BeforeAll
    void trainServeAndSendTraffic() throws Exception {
        data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", "linear",
                "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(kiln("models", "alias", "credit", "production", "1").exitCode()).isZero();

        Path bundle;
        try (KilnStore s = KilnStore.open(home, null)) {
            bundle = s.registry().bundlePath(s.registry().resolve(ModelRef.parse("credit:1")));
        }
        ModelHost host = new ModelHost();
        host.load("credit", bundle, "1");
        host.load("shifted", bundle, "1");
        DataFrame frame = DataReader.read(data);
        HttpClient http = HttpClient.newHttpClient();
        int correct = 0;
        try (InferenceServer server = InferenceServer.start(host, null, 0,
                new PredictionLog(home.resolve("logs").resolve("predictions")))) {
            for (int i = 0; i < 200; i++) {
                Map<String, Object> row = instance(frame, i);
                String label = (String) frame.row(i).get("class");
                JsonNode answer = predict(http, server.port(), "credit", row);
                correct += answer.get("predictions").get(0).get("prediction").asText().equals(label) ? 1 : 0;
                feedback(http, server.port(), "credit", answer.get("request_id").asText(), label);

                Map<String, Object> older = new LinkedHashMap<>(row);
                older.put("age", ((Number) row.get("age")).doubleValue() + 20);
                older.put("credit_amount", ((Number) row.get("credit_amount")).doubleValue() * 3);
                JsonNode shifted = predict(http, server.port(), "shifted", older);
                String wrong = label.equals("good") ? "bad" : "good";
                feedback(http, server.port(), "shifted", shifted.get("request_id").asText(), wrong);
            }
        }
        servedAccuracy = correct / 200.0;

        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            webhookBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
    }

    @org.junit.jupiter.api.AfterAll
    void stopWebhook() {
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    /**
     * The check reads the window once for drift and performance together; what it reports for performance is what the
     * analyzer reports reading the log on its own.
     */
    @Test
    void theChecksOnePassMeasuresPerformanceAsTheAnalyzerAlone() {
        try (KilnStore s = KilnStore.open(home, null)) {
            for (String served : List.of("credit", "shifted")) {
                dev.kiln.monitor.logs.PredictionLogReader log = Monitoring.openLog(home.resolve("logs").resolve("predictions"), served);
                Monitoring.CheckResult check = Monitoring.measure(log, dev.kiln.monitor.logs.LogWindow.ALL,
                        Monitoring.resolver(s, "credit", null), dev.kiln.monitor.drift.DriftThresholds.defaults());
                dev.kiln.runtime.KilnModel model = Monitoring.resolver(s, "credit", null).apply("1");
                dev.kiln.monitor.performance.PerformanceReport alone = dev.kiln.monitor.performance.PerformanceAnalyzer.analyze(log,
                        dev.kiln.monitor.logs.LogWindow.ALL,
                        dev.kiln.monitor.performance.PerformanceSpec.of(model.manifest(), java.time.Duration.ofDays(36_500), null));
                assertThat(check.version()).isEqualTo("1");
                assertThat(check.rows()).isEqualTo(200);
                assertThat(check.performance()).as(served).isEqualTo(alone.versions().get(0));
                assertThat(check.performance().labelled()).as(served).isEqualTo(200);
            }
        }
    }

    @Test
    void driftOfTheLogAgainstTheModelsReferenceFlagsTheShiftedFeaturesOnly() throws IOException {
        CliRun normal = kiln("drift", "--reference", "credit", "--logs", "credit", "--json");
        assertThat(normal.exitCode()).as(normal.err()).isZero();
        JsonNode n = BadInputTest.json(normal.out());
        assertThat(n.get("current").get("rows").asInt()).isEqualTo(200);
        assertThat(feature(n, "age").get("drift").asBoolean()).isFalse();
        assertThat(n.get("dataset_drift").asBoolean()).isFalse();

        CliRun shifted = kiln("drift", "--reference", "credit", "--logs", "shifted", "--json", "--fail-on-drift");
        JsonNode s = BadInputTest.json(shifted.out());
        JsonNode age = feature(s, "age");
        assertThat(age.get("type").asText()).isEqualTo("numeric");
        assertThat(age.get("drift").asBoolean()).isTrue();
        assertThat(age.get("ks_statistic").asDouble()).isGreaterThan(0.3);
        assertThat(age.get("psi").asDouble()).isGreaterThan(0.2);
        assertThat(feature(s, "credit_amount").get("drift").asBoolean()).isTrue();
        assertThat(feature(s, "purpose").get("drift").asBoolean()).isFalse();
        assertThat(feature(s, "purpose").has("chi_square_p_value")).isTrue();
        assertThat(s.get("prediction").get("name").asText()).isEqualTo("prediction");
        assertThat(s.get("drifted_count").asInt()).isEqualTo(2);
        assertThat(shifted.exitCode()).as("2 of 20 features is no data-set drift").isZero();

        CliRun human = kiln("drift", "--reference", "credit", "--logs", "shifted");
        assertThat(human.out()).contains("feature").contains("age").contains("DRIFT").contains("2 of 20 features drifted");
    }

    @Test
    void driftBetweenTwoDatasets() throws IOException {
        List<String> lines = Files.readAllLines(data);
        Path first = Files.write(home.resolve("first.csv"), lines.subList(0, 501));
        List<String> second = new ArrayList<>(lines.subList(0, 1));
        second.addAll(lines.subList(501, lines.size()));
        Path rest = Files.write(home.resolve("rest.csv"), second);
        CliRun run = kiln("drift", "--reference", first.toString(), "--current", rest.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        assertThat(r.get("features")).hasSize(21); // the target is a column of both data sets
        assertThat(r.get("reference").get("rows").asInt()).isEqualTo(500);
        assertThat(r.get("current").get("rows").asInt()).isEqualTo(500);
        assertThat(r.get("dataset_drift").asBoolean()).isFalse();
    }

    @Test
    void performanceSlicedByAnInputMeasuresEachGroupAsItWasAnswered() throws IOException {
        CliRun run = kiln("monitor", "performance", "--model", "credit", "--slice-by", "personal_status,age", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        assertThat(r.get("sliced_rows").asInt()).isEqualTo(200);
        assertThat(r.get("slice_rows_unusable").asInt()).isZero();
        assertThat(r.get("versions").get(0).get("labelled").asInt()).as("the usual report is still there").isEqualTo(200);

        // The same groups recomputed from the data: the first 200 applicants, the bundle's answers, their true class.
        dev.kiln.runtime.KilnModel model;
        try (KilnStore s = KilnStore.open(home, null)) {
            model = dev.kiln.runtime.KilnModel.load(s.registry().bundlePath(s.registry().resolve(ModelRef.parse("credit:1"))));
        }
        DataFrame frame = DataReader.read(data);
        Map<String, int[]> expected = new LinkedHashMap<>();  // group -> {rows, correct, predicted bad}
        for (int i = 0; i < 200; i++) {
            Map<String, Object> row = instance(frame, i);
            String predicted = (String) model.predict(row).prediction();
            int[] c = expected.computeIfAbsent((String) row.get("personal_status"), k -> new int[3]);
            c[0]++;
            c[1] += predicted.equals(frame.row(i).get("class")) ? 1 : 0;
            c[2] += predicted.equals("bad") ? 1 : 0;
        }
        JsonNode status = r.get("slices").get(0);
        assertThat(status.get("column").asText()).isEqualTo("personal_status");
        assertThat(status.get("groups").size()).isEqualTo(expected.size());
        for (JsonNode g : status.get("groups")) {
            int[] c = expected.get(g.get("value").asText());
            assertThat(g.get("rows").asInt()).as(g.toString()).isEqualTo(c[0]);
            assertThat(g.get("metrics").get("accuracy").asDouble()).as(g.toString()).isEqualTo((double) c[1] / c[0]);
            assertThat(g.get("metrics").get("predicted_positive_rate").asDouble()).as(g.toString()).isEqualTo((double) c[2] / c[0]);
        }
        assertThat(status.get("gaps").get("parity_difference").asDouble()).isBetween(0.0, 1.0);
        assertThat(r.get("slices").get(1).get("grouping").asText()).isEqualTo("quartiles");

        CliRun crossed = kiln("monitor", "performance", "--model", "credit", "--slice-by", "personal_status*age", "--json");
        assertThat(crossed.exitCode()).as(crossed.err()).isZero();
        JsonNode both = BadInputTest.json(crossed.out()).get("slices").get(0);
        assertThat(both.get("column").asText()).isEqualTo("personal_status*age");
        int crossedRows = 0;
        for (JsonNode g : both.get("groups")) {
            crossedRows += g.get("rows").asInt();
            assertThat(g.get("value").asText()).contains(" \u00d7 ");
        }
        assertThat(crossedRows).isEqualTo(200);

        CliRun yesNo = kiln("monitor", "performance", "--model", "credit", "--slice-by", "foreign_worker", "--json");
        assertThat(yesNo.exitCode()).as(yesNo.err()).isZero();
        List<String> answers = new ArrayList<>();
        BadInputTest.json(yesNo.out()).get("slices").get(0).get("groups").forEach(g -> answers.add(g.get("value").asText()));
        assertThat(answers).as("a boolean input grouped in its training file's words").contains("yes").isSubsetOf("yes", "no", "(missing)");

        CliRun text = kiln("monitor", "performance", "--model", "credit", "--slice-by", "personal_status");
        assertThat(text.out()).contains("by personal_status (values), 200 labelled rows, all versions, as answered",
                "gaps [95% bootstrap interval]");
        CliRun unknown = kiln("monitor", "performance", "--model", "credit", "--slice-by", "salary");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("column_missing").contains("'salary'");
    }

    @Test
    void performanceJoinsTheDelayedLabels() throws IOException {
        CliRun run = kiln("monitor", "performance", "--model", "credit", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        assertThat(r.has("versions")).as(run.out()).isTrue();
        JsonNode v1 = r.get("versions").get(0);
        assertThat(v1.get("version").asText()).isEqualTo("1");
        assertThat(v1.get("predictions").asInt()).isEqualTo(200);
        assertThat(v1.get("labelled").asInt()).isEqualTo(200);
        assertThat(v1.get("metrics").get("accuracy").asDouble()).isEqualTo(servedAccuracy);
        assertThat(v1.get("metrics").get("roc_auc").asDouble()).isGreaterThan(0.7);
        assertThat(r.get("feedback_unmatched").asInt()).isZero();

        CliRun wrong = kiln("monitor", "performance", "--model", "shifted", "--ref", "credit", "--json");
        assertThat(wrong.exitCode()).as(wrong.err()).isZero();
        JsonNode w = BadInputTest.json(wrong.out()).get("versions").get(0);
        assertThat(w.get("metrics").get("roc_auc").asDouble()).isLessThan(0.5);

        CliRun human = kiln("monitor", "performance", "--model", "credit");
        assertThat(human.out()).contains("roc_auc").contains("all").contains("feedback: 200 records");
    }

    /**
     * Before labels: the model's accuracy and ROC AUC estimated from its calibrated probabilities (CBPE), per window and
     * over the period, beside the realised values on the labels that arrived; an estimated_metric_drop rule reads it.
     */
    @Test
    void performanceEstimatesTheMetricsBeforeLabelsBesideTheRealisedOnes() throws IOException {
        CliRun run = kiln("monitor", "performance", "--model", "credit", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode estimates = BadInputTest.json(run.out()).get("estimates");
        assertThat(estimates).as(run.out()).isNotNull();
        assertThat(estimates.get("windows").size()).isPositive();
        JsonNode all = estimates.get("versions").get(0);
        assertThat(all.get("version").asText()).isEqualTo("1");
        assertThat(all.get("rows").asInt()).isEqualTo(200);
        assertThat(all.get("calibration").asText()).isEqualTo("calibrated");
        assertThat(all.get("calibration_note").asText()).matches("(isotonic|platt|identity) on .*")
                .contains("out-of-fold predictions", "applied by the model");
        assertThat(all.get("labelled").asInt()).isEqualTo(200);
        assertThat(all.get("realised_accuracy").asDouble()).isEqualTo(servedAccuracy);
        JsonNode accuracy = all.get("estimated_accuracy");
        assertThat(accuracy.get("value").asDouble()).as("200 rows like the training data")
                .isCloseTo(servedAccuracy, org.assertj.core.data.Offset.offset(0.12));
        assertThat(accuracy.get("ci_low").asDouble()).isLessThan(accuracy.get("value").asDouble());
        assertThat(accuracy.get("ci_high").asDouble()).isGreaterThan(accuracy.get("value").asDouble());
        assertThat(all.get("estimated_roc_auc").get("value").asDouble()).isBetween(0.6, 1.0);

        CliRun text = kiln("monitor", "performance", "--model", "credit");
        assertThat(text.out()).contains("estimated before labels (CBPE)", "est. accuracy", "est. roc_auc",
                "version 1 calibrated: ");

        Path rules = home.resolve("estimate-rules.json");
        Files.writeString(rules, """
                {"window": "1h",
                 "rules": [{"name": "estimated-accuracy", "kind": "estimated_metric_drop", "metric": "accuracy",
                            "threshold": 0.3, "min_rows": 100}]}""");
        CliRun check = kiln("monitor", "check", "--model", "credit", "--rules", rules.toString(), "--json");
        assertThat(check.exitCode()).as(check.err() + check.out()).isZero();
        JsonNode estimated = outcome(BadInputTest.json(check.out()), "estimated-accuracy");
        assertThat(estimated.get("kind").asText()).isEqualTo("estimated_metric_drop");
        assertThat(estimated.get("status").asText()).isEqualTo("ok");
        assertThat(estimated.get("evidence").get("estimated").asDouble()).isEqualTo(accuracy.get("value").asDouble());
        assertThat(estimated.get("evidence").get("rows").asInt()).isEqualTo(200);
        assertThat(estimated.get("message").asText()).startsWith("estimated accuracy ");
    }

    @Test
    void checkOpensAlertsWithEvidencePostsThemAndRetrainsByPolicy() throws IOException {
        Path newer = home.resolve("newer.csv");
        Files.write(newer, Files.readAllLines(data).subList(0, 801));
        Path rules = home.resolve("rules.json");
        Files.writeString(rules, """
                {"window": "1h",
                 "rules": [
                   {"name": "inputs-shifted", "kind": "feature_psi", "threshold": 0.2},
                   {"name": "auc-dropped", "kind": "metric_drop", "metric": "roc_auc", "threshold": 0.05, "min_labelled": 100},
                   {"name": "errors", "kind": "error_rate"}
                 ],
                 "webhook": {"url": "http://127.0.0.1:%d/hook", "allowed_hosts": ["127.0.0.1"]},
                 "retrain": {"on": ["auc-dropped"], "data": "newer.csv"}
                }""".formatted(webhook.getAddress().getPort()));

        CliRun ok = kiln("monitor", "check", "--model", "credit", "--rules", rules.toString(), "--json", "--fail-on-alert");
        assertThat(ok.exitCode()).as(ok.err() + ok.out()).isZero();
        JsonNode okr = BadInputTest.json(ok.out());
        assertThat(outcome(okr, "inputs-shifted").get("status").asText()).isEqualTo("ok");
        assertThat(outcome(okr, "auc-dropped").get("status").asText()).isEqualTo("ok");
        assertThat(outcome(okr, "errors").get("status").asText()).isEqualTo("no_data");

        CliRun fire = kiln("monitor", "check", "--model", "shifted", "--ref", "credit", "--rules", rules.toString(), "--json",
                "--fail-on-alert");
        assertThat(fire.exitCode()).as(fire.err()).isEqualTo(MonitorCommand.EXIT_FIRING);
        JsonNode f = BadInputTest.json(fire.out());
        JsonNode psi = outcome(f, "inputs-shifted");
        assertThat(psi.get("status").asText()).isEqualTo("firing");
        assertThat(psi.get("action").asText()).isEqualTo("opened");
        assertThat(psi.get("message").asText()).contains("age").contains("credit_amount");
        JsonNode auc = outcome(f, "auc-dropped");
        assertThat(auc.get("status").asText()).isEqualTo("firing");
        assertThat(auc.get("evidence").get("labelled").asInt()).isEqualTo(200);
        assertThat(auc.get("retrain").asText()).startsWith("registered credit:");
        assertThat(webhookBodies).hasSize(2);
        JsonNode posted = Json.mapper().readTree(webhookBodies.get(0));
        assertThat(posted.get("event").asText()).isEqualTo("alert_opened");
        assertThat(posted.get("model").asText()).isEqualTo("shifted");

        // Still firing: the alerts are updated, not duplicated, and not posted again; no second retrain.
        CliRun again = kiln("monitor", "check", "--model", "shifted", "--ref", "credit", "--rules", rules.toString(), "--json");
        JsonNode a = BadInputTest.json(again.out());
        assertThat(outcome(a, "inputs-shifted").get("action").asText()).isEqualTo("updated");
        assertThat(outcome(a, "auc-dropped").has("retrain")).isFalse();
        assertThat(webhookBodies).hasSize(2);

        CliRun alerts = kiln("monitor", "alerts", "--model", "shifted", "--open", "--json");
        JsonNode list = BadInputTest.json(alerts.out()).get("alerts");
        assertThat(list).hasSize(2);
        for (JsonNode alert : list) {
            assertThat(alert.get("timesSeen").asInt()).isEqualTo(2);
            assertThat(alert.get("evidence").size()).isPositive();
            assertThat(alert.get("evidence").get("window").get("to").asText()).as("the window it was measured over")
                    .isEqualTo(a.get("until").asText());
        }
        CliRun versions = kiln("models", "show", "credit:2", "--json");
        assertThat(versions.out()).contains("\"version\" : 2");
        CliRun human = kiln("monitor", "alerts");
        assertThat(human.out()).contains("inputs-shifted").contains("auc-dropped").contains("open");
    }

    @Test
    void aRetrainScheduleRegistersANewVersionWhenTheNewestIsOlderThanIt() throws Exception {
        Path rules = home.resolve("scheduled.json");
        Path scheduled = home.resolve("scheduled.csv");
        Files.write(scheduled, Files.readAllLines(data).subList(0, 901));
        // The data credit:1 was trained on, unchanged: nothing to learn, so no new version.
        Files.writeString(rules, """
                {"rules": [{"kind": "latency_p99", "threshold": 10000}],
                 "retrain": {"every": "1s", "data": "%s"}}""".formatted(data.toString()));
        int versionsBefore = versions("credit");
        String unchanged = notes(rules);
        assertThat(unchanged).contains("scheduled retrain", "not retrained: the data", "has not changed since credit:1");
        assertThat(versions("credit")).isEqualTo(versionsBefore);

        // Data per model: a model the policy names no data for is not retrained from another's.
        Files.writeString(rules, """
                {"rules": [{"kind": "latency_p99", "threshold": 10000}],
                 "retrain": {"every": "1s", "data": {"other": "%s"}}}""".formatted(scheduled.toString()));
        assertThat(notes(rules)).contains("not retrained: the retrain policy names no data for 'credit'");
        assertThat(versions("credit")).isEqualTo(versionsBefore);

        Files.writeString(rules, """
                {"rules": [{"kind": "latency_p99", "threshold": 10000}],
                 "retrain": {"every": "1s", "data": {"credit": "%s", "other": "%s"}}}""".formatted(scheduled.toString(), data.toString()));
        assertThat(notes(rules)).contains("scheduled retrain").contains("registered credit:" + (versionsBefore + 1));
        // the newest version is now seconds old: a schedule of a day does not retrain again
        Files.writeString(rules, Files.readString(rules).replace("\"1s\"", "\"1d\""));
        assertThat(notes(rules)).doesNotContain("scheduled retrain");
        // and once it is old, the same data is the newest version's: not retrained again
        Files.writeString(rules, Files.readString(rules).replace("\"1d\"", "\"1s\""));
        assertThat(notes(rules)).contains("has not changed since credit:" + (versionsBefore + 1));
        assertThat(versions("credit")).isEqualTo(versionsBefore + 1);
    }

    /** The notes of a check as of two seconds after the newest version was registered (--at), instead of waiting for it to age. */
    private String notes(Path rules) throws IOException {
        java.time.Instant newest;
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
            newest = store.registry().versions("credit").stream().map(dev.kiln.store.ModelVersion::createdAt)
                    .max(java.util.Comparator.naturalOrder()).orElseThrow();
        }
        CliRun run = kiln("monitor", "check", "--model", "credit", "--rules", rules.toString(), "--json",
                "--at", newest.plusSeconds(2).toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        return BadInputTest.json(run.out()).get("notes").toString();
    }

    private int versions(String model) throws IOException {
        JsonNode list = BadInputTest.json(kiln("models", "list", "--json").out());
        for (JsonNode m : list) {
            if (m.get("name").asText().equals(model)) {
                return m.get("latestVersion").asInt();
            }
        }
        throw new AssertionError("no model " + model);
    }

    @Test
    void aWebhookThatFailsSaysWhyInTheCheck() throws IOException {
        HttpServer failing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        failing.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "hook store is down".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        failing.start();
        int refused;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            refused = s.getLocalPort();
        }
        try {
            // A rule name of its own per case, so that each check opens a new alert and posts it.
            for (Object[] c : new Object[][] {{"psi-500", failing.getAddress().getPort(), "answered HTTP 500: hook store is down"},
                    {"psi-refused", refused, "failed: connection refused by 127.0.0.1:" + refused}}) {
                Path rules = home.resolve(c[0] + ".json");
                Files.writeString(rules, """
                        {"window": "1h", "rules": [{"name": "%s", "kind": "feature_psi", "threshold": 0.2}],
                         "webhook": {"url": "http://127.0.0.1:%d/hook", "allowed_hosts": ["127.0.0.1"]}}""".formatted(c[0], c[1]));
                CliRun run = kiln("monitor", "check", "--model", "shifted", "--ref", "credit", "--rules", rules.toString());
                assertThat(run.exitCode()).as(run.err()).isZero();
                assertThat(run.out()).as((String) c[0])
                        .contains("webhook: webhook http://127.0.0.1:" + c[1] + "/hook " + c[2]).doesNotContain("null");
            }
        } finally {
            failing.stop(0);
        }
    }

    @Test
    void aWebhookHostOffTheAllowListIsRefusedWhenTheRulesAreRead() throws IOException {
        Path rules = home.resolve("bad-rules.json");
        Files.writeString(rules, """
                {"rules": [{"kind": "feature_psi"}],
                 "webhook": {"url": "http://169.254.169.254/latest", "allowed_hosts": ["hooks.example.com"]}}""");
        CliRun run = kiln("monitor", "check", "--model", "credit", "--rules", rules.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("$.webhook.url").contains("169.254.169.254").contains("allowed_hosts");

        Files.writeString(rules, "{\"rules\": [{\"kind\": \"feature_psi\", \"treshold\": 0.1}]}");
        CliRun typo = kiln("monitor", "check", "--model", "credit", "--rules", rules.toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("$.rules[0].treshold").contains("unknown field");
    }

    private static JsonNode feature(JsonNode report, String name) {
        for (JsonNode f : report.get("features")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no feature " + name + " in " + report);
    }

    private static JsonNode outcome(JsonNode result, String rule) {
        for (JsonNode o : result.get("outcomes")) {
            if (o.get("rule").asText().equals(rule)) {
                return o;
            }
        }
        throw new AssertionError("no outcome for " + rule + " in " + result);
    }

    private static Map<String, Object> instance(DataFrame frame, int i) {
        Map<String, Object> row = new LinkedHashMap<>(frame.row(i));
        row.remove("class");
        row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
        return row;
    }

    private static JsonNode predict(HttpClient http, int port, String model, Map<String, Object> row) throws Exception {
        String body = Json.mapper().writeValueAsString(Map.of("instances", List.of(row)));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/" + model + ":predict"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    private static void feedback(HttpClient http, int port, String model, String requestId, String label) throws Exception {
        String body = Json.mapper().writeValueAsString(Map.of("request_id", requestId, "label", label));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/" + model + ":feedback"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }
}
