package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.serve.InferenceServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A yes/no target through the CLI: trained, reported, predicted, served, logged and labelled as yes/no. */
class YesNoLabelsCliTest {
    @TempDir
    static Path home;
    static Path data;
    static JsonNode trained;

    /** x decides churn (yes for about a quarter of the rows), plan is noise. */
    static Path yesNo(Path file) throws IOException {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder("x,plan,churn\n");
        for (int i = 0; i < 300; i++) {
            double x = r.nextGaussian();
            sb.append(x).append(',').append(i % 2 == 0 ? "basic" : "pro").append(',')
                    .append(x + 0.3 * r.nextGaussian() > 0.7 ? "yes" : "no").append('\n');
        }
        return Files.writeString(file, sb.toString());
    }

    @BeforeAll
    static void train() throws IOException {
        data = yesNo(home.resolve("churn.csv"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "churn",
                "--algorithms", "linear", "--register", "churn", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        trained = BadInputTest.json(train.out());
        assertThat(CliRun.of("models", "alias", "churn", "production", "1", "--home", home.toString()).exitCode()).isZero();
    }

    @Test
    void trainReportsTheClassesAsWritten() {
        assertThat(trained.get("classes").toString()).isEqualTo("[\"no\",\"yes\"]");
        assertThat(trained.get("positiveClass").asText()).isEqualTo("yes");
        CliRun text = CliRun.of("train", "--data", data.toString(), "--target", "churn", "--algorithms", "baseline",
                "--out", home.resolve("text-bundle").toString());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("positive class 'yes'").doesNotContain("'true'");
        CliRun card = CliRun.of("models", "card", "churn:1", "--home", home.toString());
        assertThat(card.exitCode()).as(card.err()).isZero();
        assertThat(card.out()).contains("yes").doesNotContain("'true'");
    }

    @Test
    void predictWritesYesOrNo() throws IOException {
        Path out = home.resolve("scored.csv");
        CliRun run = CliRun.of("predict", "--model", trained.get("bundle").asText(), "--input", data.toString(),
                "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        DataFrame scored = DataReader.read(out, ReadOptions.defaults().withOtherColumnsVerbatim());
        assertThat(scored.names()).contains("prediction", "probability_no", "probability_yes");
        Set<Object> predicted = new HashSet<>();
        for (int i = 0; i < scored.rowCount(); i++) {
            predicted.add(scored.column("prediction").value(i));
        }
        assertThat(predicted).containsExactlyInAnyOrder("no", "yes");
    }

    @Test
    void servedAnswersAndThePredictionLogSayYesOrNoAndFeedbackInAnySpellingCounts() throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--model", "churn=churn:1");
        Set<String> answers = new HashSet<>();
        List<String> labels = List.of("\"yes\"", "\"No\"", "true", "0");
        try (InferenceServer server = command.start()) {
            for (int i = 0; i < 4; i++) {
                double x = i % 2 == 0 ? 3.0 : -3.0;
                String body = "{\"instances\": [{\"x\": " + x + ", \"plan\": \"pro\"}]}";
                var r = ServeCommandTest.post(server.port(), "/v1/models/churn:predict", body, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode answer = BadInputTest.json(r.body());
                answers.add(answer.get("predictions").get(0).get("prediction").asText());
                assertThat(answer.get("predictions").get(0).has("probability_yes")).isTrue();
                String feedback = "{\"request_id\": \"" + answer.get("request_id").asText() + "\", \"label\": " + labels.get(i) + "}";
                assertThat(ServeCommandTest.post(server.port(), "/v1/models/churn:feedback", feedback, null).statusCode())
                        .isEqualTo(202);
            }
            var oip = ServeCommandTest.post(server.port(), "/v2/models/churn/infer", "{\"inputs\": ["
                    + "{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [3.0]},"
                    + "{\"name\": \"plan\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"pro\"]}]}", null);
            assertThat(oip.statusCode()).as(oip.body()).isEqualTo(200);
            assertThat(oip.body()).contains("\"yes\"").doesNotContain("\"true\"");
            server.beginShutdown();
            assertThat(server.awaitIdle(java.time.Duration.ofSeconds(5))).isTrue();
        }
        assertThat(answers).containsExactlyInAnyOrder("yes", "no");
        StringBuilder logged = new StringBuilder();
        try (Stream<Path> files = Files.walk(home.resolve("logs/predictions"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("predictions-")).toList()) {
                logged.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        assertThat(logged.toString()).contains("\"prediction\":\"yes\"").contains("\"prediction\":\"no\"")
                .doesNotContain("\"prediction\":\"true\"");
        CliRun perf = CliRun.of("monitor", "performance", "--model", "churn", "--home", home.toString(), "--slice-by", "plan",
                "--json");
        assertThat(perf.exitCode()).as(perf.err() + perf.out()).isZero();
        JsonNode report = BadInputTest.json(perf.out());
        assertThat(report.get("labels_unknown").asInt()).isZero();
        assertThat(report.get("versions").get(0).get("labelled").asInt()).isEqualTo(4);
        assertThat(report.get("versions").get(0).get("metrics").get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(report.get("sliced_rows").asInt()).as("served slices read the labels the same way").isEqualTo(4);
        assertThat(report.get("slice_rows_unusable").asInt()).isZero();
    }

}
