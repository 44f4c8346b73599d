package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.InferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kiln serve loads registry references and bundle directories and answers with the right version. */
class ServeCommandTest {
    @TempDir
    static Path home;
    static Path bundle;

    /** One trained and registered model (credit, version 1, alias production) shared by the tests. */
    @BeforeAll
    static void train() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "linear", "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(CliRun.of("models", "alias", "credit", "production", "1", "--home", home.toString()).exitCode()).isZero();
        bundle = Path.of(BadInputTest.json(train.out()).get("bundle").asText());
    }

    @Test
    void servesARegisteredModelAndABundleDirectory() throws Exception {

        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "1",
                "--model", "credit=credit", "--model", "direct=" + bundle);
        try (InferenceServer server = command.start()) {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, Object> applicant = QuickstartCommand.sampleApplicant();
            String body = dev.kiln.runtime.Json.mapper().writeValueAsString(Map.of("instances", java.util.List.of(applicant)));
            for (String name : new String[] {"credit", "direct"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models/" + name + ":predict"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode p = BadInputTest.json(r.body()).get("predictions").get(0);
                double expected = KilnModel.load(bundle).predict(applicant).probabilities().get("bad");
                assertThat(p.get("probability_bad").asDouble()).isEqualTo(expected);
                String version = r.headers().firstValue("Kiln-Model-Version").orElseThrow();
                if (name.equals("credit")) {
                    assertThat(version).as("registry version of credit@production").isEqualTo("1");
                } else {
                    assertThat(version).as("a bundle directory is named by its manifest's SHA-256").startsWith("sha256:");
                }
            }
            // credit follows credit@production: a new version behind the alias is picked up while serving.
            try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
                int v2 = store.registry().register("credit", bundle, null, "test", "again").version();
                store.registry().setAlias("credit", "production", v2, "test", "promote", Map.of());
                String version = dev.kiln.app.Poll.until(() -> server.models().get("credit").orElseThrow().version(),
                        Integer.toString(v2)::equals, java.time.Duration.ofSeconds(15));
                assertThat(version).as("the alias move is followed").isEqualTo(Integer.toString(v2));
            }
            server.beginShutdown();
            assertThat(server.awaitIdle(java.time.Duration.ofSeconds(5))).isTrue();
        }
        try (var files = java.nio.file.Files.walk(home.resolve("logs/predictions"))) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("predictions-")).count())
                    .as("one prediction log per model under HOME/logs/predictions").isEqualTo(2);
        }
        CliRun bad = CliRun.of("serve", "--home", home.toString(), "--model", "credit@nowhere");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("NAME=REF");
    }

    static HttpResponse<String> post(int port, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tokensFromAFileOrTheEnvironmentAdminLoadsAndTheReadTimeout() throws Exception {
        String token = "inference-0123456789abcdef";
        String admin = "admin-0123456789abcdef";
        Path tokenFile = java.nio.file.Files.writeString(home.resolve("serve.token"), token + "\n");
        ServeCommand command = new ServeCommand();
        command.env = name -> name.equals(ServeCommand.ADMIN_TOKEN_ENV) ? admin : null;
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "0", "--no-log",
                "--model", "direct=" + bundle, "--token-file", tokenFile.toString(), "--bundle-root", bundle.getParent().toString(),
                "--read-timeout-seconds", "1");
        String body = dev.kiln.runtime.Json.mapper().writeValueAsString(Map.of("instances", java.util.List.of(QuickstartCommand.sampleApplicant())));
        try (InferenceServer server = command.start()) {
            int port = server.port();
            assertThat(post(port, "/v1/models/direct:predict", body, null).statusCode()).isEqualTo(401);
            assertThat(post(port, "/v1/models/direct:predict", body, token).statusCode()).isEqualTo(200);
            HttpResponse<String> meta = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v2")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(meta.body()).contains("model_repository");
            // Admin: a registry reference resolved (and verified) like --model does; the inference token is not enough.
            String load = "{\"parameters\": {\"ref\": \"credit:1\"}}";
            assertThat(post(port, "/v2/repository/models/credit/load", load, token).statusCode()).isEqualTo(401);
            HttpResponse<String> loaded = post(port, "/v2/repository/models/credit/load", load, admin);
            assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
            assertThat(BadInputTest.json(loaded.body()).get("version").asText()).isEqualTo("1");
            HttpResponse<String> p = post(port, "/v1/models/credit:predict", body, token);
            assertThat(p.statusCode()).isEqualTo(200);
            assertThat(p.headers().firstValue("Kiln-Model-Version")).contains("1");
            assertThat(post(port, "/v2/repository/models/direct/unload", "", admin).statusCode()).isEqualTo(200);
            assertThat(post(port, "/v1/models/direct:predict", body, token).statusCode()).isEqualTo(404);
            // A start-time bundle directory under --bundle-root is reloaded from where it was.
            assertThat(post(port, "/v2/repository/models/direct/load", "", admin).statusCode()).isEqualTo(200);
            assertThat(post(port, "/v1/models/direct:predict", body, token).statusCode()).isEqualTo(200);

            // --read-timeout-seconds 1: a body that stalls is answered 408 after about a second.
            long start = System.nanoTime();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("POST /v1/models/direct:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"instances\": [").getBytes());
                s.getOutputStream().flush();
                String answer = new String(s.getInputStream().readAllBytes());
                assertThat(answer).startsWith("HTTP/1.1 408");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds).isBetween(0.9, 8.0);
        }
        assertThat(CliRun.of("serve", "--home", home.toString(), "--model", "x=" + bundle, "--read-timeout-seconds", "0").err())
                .contains("--read-timeout-seconds must be 1 to 3600");
        java.nio.file.Files.writeString(tokenFile, "short");
        CliRun weak = CliRun.of("serve", "--home", home.toString(), "--model", "x=" + bundle, "--token-file", tokenFile.toString());
        assertThat(weak.exitCode()).isEqualTo(2);
        assertThat(weak.err()).contains("at least 16");
        assertThat(CliRun.of("serve", "--home", home.toString(), "--model", "x=" + bundle, "--token", token).exitCode())
                .as("no plain --token argument (it would show in ps)").isEqualTo(2);
        CliRun help = CliRun.of("serve", "--help");
        assertThat(help.out()).contains("--token-file", "--admin-token-file", "KILN_SERVE_TOKEN", "KILN_SERVE_ADMIN_TOKEN",
                "--read-timeout-seconds", "--bundle-root", "/metrics stay open");
    }

    @Test
    void canariesAndShadowsFromTheCommandLineAreComparedByVersion() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("canary-data"));
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
            store.registry().register("ab", bundle, null, "test", "linear");
        }
        CliRun gbdt = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "gbdt", "--register", "ab", "--json");
        assertThat(gbdt.exitCode()).as(gbdt.err()).isZero();
        assertThat(CliRun.of("models", "alias", "ab", "stable", "1", "--home", home.toString()).exitCode()).isZero();
        assertThat(CliRun.of("models", "alias", "ab", "candidate", "2", "--home", home.toString()).exitCode()).isZero();

        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "1",
                "--model", "ab=ab@stable", "--canary", "ab=ab@candidate", "--canary-percent", "ab=30");
        Map<String, Object> applicant = QuickstartCommand.sampleApplicant();
        String body = dev.kiln.runtime.Json.mapper().writeValueAsString(Map.of("instances", java.util.List.of(applicant)));
        Map<String, Integer> byVersion = new java.util.HashMap<>();
        int n = 200;
        int expectedCanary = 0;
        try (InferenceServer server = command.start()) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/models/ab"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(BadInputTest.json(meta.body()).get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
            for (int i = 0; i < n; i++) {
                String key = "customer-" + i;
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models/ab:predict"))
                        .header("Content-Type", "application/json").header(InferenceServer.ROUTE_KEY_HEADER, key)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                byVersion.merge(r.headers().firstValue("Kiln-Model-Version").orElseThrow(), 1, Integer::sum);
                String id = BadInputTest.json(r.body()).get("request_id").asText();
                String feedback = "{\"request_id\": \"" + id + "\", \"label\": \"" + (i % 3 == 0 ? "bad" : "good") + "\"}";
                assertThat(post(server.port(), "/v1/models/ab:feedback", feedback, null).statusCode()).isEqualTo(202);
            }
            for (int i = 0; i < n; i++) {
                expectedCanary += dev.kiln.serve.ModelHost.bucket("customer-" + i) < 3_000 ? 1 : 0;
            }
            // The candidate alias moves: the canary follows it, the model stays.
            try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
                store.registry().setAlias("ab", "candidate", 1, "test", "back", Map.of());
            }
            String canaryVersion = dev.kiln.app.Poll.until(() -> server.models().canary("ab").map(c -> c.served().version()).orElse(null),
                    "1"::equals, java.time.Duration.ofSeconds(15));
            assertThat(canaryVersion).as("the canary follows its alias").isEqualTo("1");
            assertThat(server.models().canary("ab").orElseThrow().percent()).isEqualTo(30.0);
            server.beginShutdown();
            assertThat(server.awaitIdle(java.time.Duration.ofSeconds(5))).isTrue();
        }
        assertThat(byVersion.get("2")).isEqualTo(expectedCanary);
        assertThat(byVersion.get("1")).isEqualTo(n - expectedCanary);

        // monitor performance compares the two versions on their own traffic and labels.
        CliRun perf = CliRun.of("monitor", "performance", "--model", "ab", "--ref", "ab@stable", "--home", home.toString(), "--json");
        assertThat(perf.exitCode()).as(perf.err() + perf.out()).isZero();
        Map<String, Integer> labelled = new java.util.HashMap<>();
        for (JsonNode v : BadInputTest.json(perf.out()).get("versions")) {
            assertThat(v.get("predictions").asInt()).isEqualTo(v.get("labelled").asInt());
            labelled.put(v.get("version").asText(), v.get("labelled").asInt());
        }
        assertThat(labelled).isEqualTo(byVersion);
        JsonNode comparison = BadInputTest.json(perf.out()).get("comparisons").get(0);
        assertThat(comparison.get("metric").asText()).isEqualTo("accuracy");
        assertThat(comparison.get("against").asText()).as("the version with the most rows").isEqualTo("1");
        assertThat(comparison.get("p_value").asDouble()).isBetween(0.0, 1.0);
        assertThat(CliRun.of("monitor", "performance", "--model", "ab", "--ref", "ab@stable", "--home", home.toString()).out())
                .contains("version 2 vs 1: accuracy").contains("95% CI");

        // A shadow: version 2 scores a copy of every request to ab:1, never answering; monitor performance measures both
        // on the same feedback.
        Path shadowLog = home.resolve("shadow-log");
        ServeCommand shadowed = new ServeCommand();
        new CommandLine(shadowed).parseArgs("--home", home.toString(), "--port", "0", "--log-dir", shadowLog.toString(),
                "--model", "ab=ab:1", "--shadow", "ab=ab:2");
        int m = 40;
        try (InferenceServer server = shadowed.start()) {
            for (int i = 0; i < m; i++) {
                HttpResponse<String> r = post(server.port(), "/v1/models/ab:predict", body, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("Kiln-Model-Version")).contains("1");
                String id = BadInputTest.json(r.body()).get("request_id").asText();
                assertThat(post(server.port(), "/v1/models/ab:feedback", "{\"request_id\": \"" + id + "\", \"label\": \""
                        + (i % 4 == 0 ? "bad" : "good") + "\"}", null).statusCode()).isEqualTo(202);
            }
            assertThat(server.models().shadow("ab")).map(dev.kiln.serve.ModelHost.Served::version).contains("2");
        }
        CliRun shadowPerf = CliRun.of("monitor", "performance", "--model", "ab", "--ref", "ab:1", "--log-dir", shadowLog.toString(),
                "--home", home.toString(), "--json");
        assertThat(shadowPerf.exitCode()).as(shadowPerf.err()).isZero();
        JsonNode sp = BadInputTest.json(shadowPerf.out());
        assertThat(sp.get("versions").size()).isEqualTo(1);
        assertThat(sp.get("versions").get(0).get("labelled").asInt()).isEqualTo(m);
        assertThat(sp.get("shadows").size()).isEqualTo(1);
        assertThat(sp.get("shadows").get(0).get("version").asText()).isEqualTo("2");
        assertThat(sp.get("shadows").get(0).get("labelled").asInt()).as("every copy scored before the server stopped").isEqualTo(m);
        assertThat(CliRun.of("monitor", "performance", "--model", "ab", "--ref", "ab:1", "--log-dir", shadowLog.toString(),
                "--home", home.toString()).out()).contains("all (shadow)");
        CliRun shadowNoLog = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--no-log", "--model", "ab=ab:1", "--shadow", "ab=ab:2");
        assertThat(shadowNoLog.exitCode()).isEqualTo(2);
        assertThat(shadowNoLog.err()).contains("--shadow needs the prediction log");

        // A progressive rollout from the command line starts at its first step.
        ServeCommand rollout = new ServeCommand();
        new CommandLine(rollout).parseArgs("--home", home.toString(), "--port", "0", "--no-log", "--model", "ab=ab:1",
                "--canary", "ab=ab:2", "--canary-steps", "ab=10,50,100", "--canary-interval-seconds", "3600");
        try (InferenceServer server = rollout.start()) {
            assertThat(server.rollouts().status("ab").orElseThrow().state()).isEqualTo("running");
            assertThat(server.models().canary("ab").orElseThrow().percent()).isEqualTo(10.0);
        }
        for (String[] bad : new String[][] {{"--canary-steps", "ab=50,10", "increase"}, {"--canary-steps", "ab=5,x", "--canary-steps ab"},
                {"--canary-percent", "ab=5", "--canary-percent and --canary-steps"}}) {
            CliRun r = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab:1", "--canary", "ab=ab:2",
                    "--canary-steps", "ab=5,50", bad[0], bad[1]);
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", bad)).contains(bad[2]);
        }

        // A bandit over versions 1 and 2: rewards for version 2 move the traffic to it.
        ServeCommand bandit = new ServeCommand();
        new CommandLine(bandit).parseArgs("--home", home.toString(), "--port", "0", "--log-dir", home.resolve("bandit-log").toString(),
                "--model", "ab=ab:1", "--bandit", "ab=ab:1, ab:2");
        int lateTwo = 0;
        try (InferenceServer server = bandit.start()) {
            for (int i = 0; i < 150; i++) {
                HttpResponse<String> r = post(server.port(), "/v1/models/ab:predict", body, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                String version = r.headers().firstValue("Kiln-Model-Version").orElseThrow();
                String id = BadInputTest.json(r.body()).get("request_id").asText();
                assertThat(post(server.port(), "/v1/models/ab:feedback", "{\"request_id\": \"" + id + "\", \"reward\": "
                        + (version.equals("2") ? 1 : 0) + "}", null).statusCode()).isEqualTo(202);
                lateTwo += i >= 110 && version.equals("2") ? 1 : 0;
            }
            assertThat(server.models().bandit("ab").orElseThrow().arms()).extracting(a -> a.served().version()).containsExactly("1", "2");
        }
        assertThat(lateTwo).as("of the last 40 requests").isGreaterThanOrEqualTo(28);
        // Restarted on the same log, the bandit starts from the rewards it earned: 150, version 2's all 1.
        ServeCommand restarted = new ServeCommand();
        new CommandLine(restarted).parseArgs("--home", home.toString(), "--port", "0", "--log-dir", home.resolve("bandit-log").toString(),
                "--model", "ab=ab:1", "--bandit", "ab=ab:1,ab:2");
        try (InferenceServer server = restarted.start()) {
            List<dev.kiln.serve.traffic.Bandit.Posterior> p = server.models().bandit("ab").orElseThrow().posteriors();
            assertThat(p.get(0).rewards() + p.get(1).rewards()).isEqualTo(150);
            assertThat(p.get(0).alpha()).as("version 1 earned nothing").isEqualTo(1.0);
            assertThat(p.get(1).beta()).as("version 2 earned every reward").isEqualTo(1.0);
            assertThat(p.get(1).mean()).isGreaterThan(0.9);
        }
        ServeCommand fresh = new ServeCommand();
        new CommandLine(fresh).parseArgs("--home", home.toString(), "--port", "0", "--log-dir", home.resolve("bandit-log").toString(),
                "--model", "ab=ab:1", "--bandit", "ab=ab:1,ab:2", "--bandit-history-hours", "0");
        try (InferenceServer server = fresh.start()) {
            assertThat(server.models().bandit("ab").orElseThrow().posteriors()).allSatisfy(p -> assertThat(p.rewards()).isZero());
        }
        CliRun both = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab:1", "--bandit", "ab=ab:1,ab:2",
                "--canary", "ab=ab:2");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("both --canary and --bandit");
        CliRun oneArm = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab:1", "--bandit", "ab=ab:1");
        assertThat(oneArm.exitCode()).isEqualTo(2);
        assertThat(oneArm.err()).contains("at least two");
        CliRun banditNoLog = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--no-log", "--model", "ab=ab:1",
                "--bandit", "ab=ab:1,ab:2");
        assertThat(banditNoLog.exitCode()).isEqualTo(2);
        assertThat(banditNoLog.err()).contains("--bandit needs the prediction log");

        // Refused at start: a canary of another task, a canary of a model not served, a bad share.
        CliRun amount = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "credit_amount",
                "--algorithms", "linear", "--register", "amount", "--json");
        assertThat(amount.exitCode()).as(amount.err()).isZero();
        CliRun otherTask = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab@stable", "--canary", "ab=amount:1");
        assertThat(otherTask.exitCode()).as(otherTask.err()).isEqualTo(2);
        assertThat(otherTask.err()).contains("cannot be the canary of model 'ab'").contains("REGRESSION");
        // A model swapped in under the name that its canary does not match drops the canary, and says why.
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
            dev.kiln.store.ModelRegistry reg = store.registry();
            dev.kiln.serve.ModelHost host = new dev.kiln.serve.ModelHost();
            host.load("ab", reg.bundlePath(reg.resolve(dev.kiln.store.ModelRef.parse("ab:1"))), "1");
            host.putCanary("ab", KilnModel.load(reg.bundlePath(reg.resolve(dev.kiln.store.ModelRef.parse("ab:2")))), "2", 5_000);
            host.put("ab", KilnModel.load(reg.bundlePath(reg.resolve(dev.kiln.store.ModelRef.parse("amount:1")))), "9");
            assertThat(host.canary("ab")).isEmpty();
            assertThat(host.lastError("ab").orElseThrow()).contains("the canary was removed when version 9 was served")
                    .contains("BINARY");
        }
        CliRun notServed = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab@stable", "--canary", "cd=ab@candidate");
        assertThat(notServed.exitCode()).isEqualTo(2);
        assertThat(notServed.err()).contains("which no --model serves");
        for (String bad : new String[] {"ab=ten", "ab=120"}) {
            CliRun share = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "ab=ab@stable", "--canary", "ab=ab@candidate",
                    "--canary-percent", bad);
            assertThat(share.exitCode()).as(bad).isEqualTo(2);
            assertThat(share.err()).as(bad).contains("--canary-percent ab");
        }
        assertThat(CliRun.of("serve", "--help").out()).contains("--canary", "--canary-percent", "Kiln-Route-Key", "--shadow", "--bandit", "--canary-steps");
    }

    @Test
    void monitorsServedModelsOnAScheduleWithTheServersOwnErrorCounts() throws Exception {
        Path rules = home.resolve("serve-rules.json");
        java.nio.file.Files.writeString(rules, """
                {"every": "1h", "rules": [{"name": "errors", "kind": "error_rate", "threshold": 0.1, "min_rows": 5}]}""");
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--model", "watched=credit",
                "--monitor-rules", rules.toString());
        try (InferenceServer server = command.start()) {
            HttpClient http = HttpClient.newHttpClient();
            String good = dev.kiln.runtime.Json.mapper().writeValueAsString(
                    Map.of("instances", java.util.List.of(QuickstartCommand.sampleApplicant())));
            String bad = "{\"instances\": [{\"age\": \"old\"}]}";
            for (int i = 0; i < 10; i++) {
                assertThat(post(http, server.port(), good)).isEqualTo(200);
                assertThat(post(http, server.port(), bad)).isEqualTo(400);
            }
            command.monitorJob.runOnce();
            var open = CliRun.of("monitor", "alerts", "--home", home.toString(), "--model", "watched", "--json");
            JsonNode alerts = BadInputTest.json(open.out()).get("alerts");
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).get("status").asText()).isEqualTo("open");
            assertThat(alerts.get(0).get("evidence").get("requests").asInt()).isEqualTo(20);
            assertThat(alerts.get(0).get("evidence").get("errors").asInt()).isEqualTo(10);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kiln_alerts_firing{model=\"watched\"} 1.0");

            for (int i = 0; i < 10; i++) {
                assertThat(post(http, server.port(), good)).isEqualTo(200);
            }
            command.monitorJob.runOnce(); // 10 requests since the last check, none failed
            JsonNode after = BadInputTest.json(CliRun.of("monitor", "alerts", "--home", home.toString(), "--model", "watched",
                    "--json").out()).get("alerts");
            assertThat(after.get(0).get("status").asText()).isEqualTo("resolved");
            assertThat(command.monitorJob.lastError()).isNull();
        }
        CliRun noLog = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "x=credit", "--monitor", "--no-log");
        assertThat(noLog.exitCode()).isEqualTo(2);
        assertThat(noLog.err()).contains("--monitor needs the prediction log");
    }

    private static int post(HttpClient http, int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/watched:predict"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
