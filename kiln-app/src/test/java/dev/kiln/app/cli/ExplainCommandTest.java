package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln explain NAME REQUEST_ID}: a prediction served by a real server, traced back from its log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainCommandTest {
    @TempDir
    static Path home;

    KilnModel model;
    Map<String, Object> applicant;
    String runId;

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    @BeforeAll
    void trainRegisterServeAndAnswerTwoRequests() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", "gbdt",
                "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        runId = BadInputTest.json(train.out()).get("run_id").asText();
        Path bundle;
        try (KilnStore s = KilnStore.open(home, null)) {
            bundle = s.registry().bundlePath(s.registry().resolve(ModelRef.parse("credit:1")));
        }
        model = KilnModel.load(bundle);
        applicant = QuickstartCommand.sampleApplicant();
        Map<String, Object> other = new LinkedHashMap<>(applicant);
        other.put("checking_status", "no checking");
        other.put("duration", 12);
        ModelHost host = new ModelHost();
        host.load("credit", bundle, "1");
        PredictionLog log = new PredictionLog(home.resolve("logs").resolve("predictions"));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String body = dev.kiln.runtime.Json.mapper().writeValueAsString(Map.of("instances", List.of(applicant, other)));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/models/credit:predict"))
                    .header(InferenceServer.REQUEST_ID_HEADER, "loan-42").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void tracesEachRowOfTheRequestToItsAnswerItsReasonsAndItsLineage() throws Exception {
        CliRun run = kiln("explain", "credit", "loan-42", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode out = BadInputTest.json(run.out());
        assertThat(out.get("request_id").asText()).isEqualTo("loan-42");
        JsonNode rows = out.get("rows");
        assertThat(rows).hasSize(2);
        JsonNode first = rows.get(0);
        assertThat(first.get("row").asInt()).isZero();
        assertThat(first.get("version").asText()).isEqualTo("1");
        assertThat(first.get("reproduced").asBoolean()).isTrue();
        Prediction p = model.predict(applicant);
        assertThat(first.get("served").get("prediction").asText()).isEqualTo(p.prediction());
        assertThat(first.get("served").get("probabilities").get("bad").asDouble()).isEqualTo(p.probabilities().get("bad"));
        Explanation why = model.explain(applicant);
        assertThat(first.get("explanation").get("base").asDouble()).isCloseTo(why.base(), Offset.offset(1e-12));
        JsonNode reasons = first.get("reasons");
        assertThat(reasons).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(reasons.get(i).get("column").asText()).isEqualTo(why.top(5).get(i).getKey());
            assertThat(reasons.get(i).get("contribution").asDouble()).isCloseTo(why.top(5).get(i).getValue(), Offset.offset(1e-12));
        }
        JsonNode lineage = first.get("lineage");
        assertThat(lineage.get("model").asText()).isEqualTo("credit:1");
        assertThat(lineage.get("run_id").asText()).isEqualTo(runId);
        assertThat(lineage.get("dataset_sha256").asText()).isEqualTo(model.manifest().lineage().datasetSha256());
        assertThat(lineage.get("parameters").get("objective").asText()).isEqualTo("binary:logistic");
        assertThat(rows.get(1).get("inputs").get("checking_status").asText()).isEqualTo("no checking");

        CliRun text = kiln("explain", "credit", "loan-42", "--row", "1", "--top", "3");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("row 1, answered", "by credit:1", "the same answer", "why (log-odds of 'bad'",
                "run " + runId, "parameters:").doesNotContain("row 0,");
    }

    @Test
    void aVersionThatNoLongerGivesTheLoggedAnswerIsCalledOut() throws Exception {
        // The log says version 1 answered P(bad) = 0.5 exactly: not what version 1 computes for these inputs.
        Path logs = home.resolve("tampered-logs");
        Path dir = Files.createDirectories(logs.resolve("credit"));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("request_id", "forged-1");
        row.put("time", "2026-12-01T10:00:00Z");
        row.put("model", "credit");
        row.put("version", "1");
        row.put("row", 0);
        row.put("inputs", applicant);
        row.put("outputs", Map.of("prediction", "bad", "probabilities", Map.of("good", 0.5, "bad", 0.5)));
        row.put("latency_ms", 1.0);
        Files.writeString(dir.resolve("predictions-20261201-100000-000001.jsonl"),
                "{not json\n" + dev.kiln.runtime.Json.mapper().copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(row) + "\n");
        CliRun run = kiln("explain", "credit", "forged-1", "--log-dir", logs.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(BadInputTest.json(run.out()).get("rows").get(0).get("reproduced").asBoolean()).isFalse();
        CliRun text = kiln("explain", "credit", "forged-1", "--log-dir", logs.toString());
        assertThat(text.out()).contains("DIFFERENT");
    }

    @Test
    void anUnknownRequestOrModelIsNotFoundAndBadOptionsAreRefused() throws Exception {
        CliRun missing = kiln("explain", "credit", "no-such-request");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("prediction_not_found").contains("no-such-request");
        CliRun noRow = kiln("explain", "credit", "loan-42", "--row", "7");
        assertThat(noRow.exitCode()).isEqualTo(3);
        CliRun noModel = kiln("explain", "nobody", "loan-42");
        assertThat(noModel.exitCode()).isEqualTo(3);
        assertThat(noModel.err()).contains("no prediction log for model 'nobody'");
        CliRun escape = kiln("explain", "../etc", "loan-42");
        assertThat(escape.exitCode()).isEqualTo(2);
        CliRun top = kiln("explain", "credit", "loan-42", "--top", "0");
        assertThat(top.exitCode()).isEqualTo(2);
        assertThat(top.err()).contains("--top");
    }
}
