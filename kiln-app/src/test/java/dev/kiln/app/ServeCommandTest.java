package dev.kiln.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.InferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kiln serve loads registry references and bundle directories and answers with the right version. */
class ServeCommandTest {
    @TempDir
    Path home;

    @Test
    void servesARegisteredModelAndABundleDirectory() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "linear", "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(CliRun.of("models", "alias", "credit", "production", "1", "--home", home.toString()).exitCode()).isZero();
        Path bundle = Path.of(BadInputTest.json(train.out()).get("bundle").asText());

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
                long deadline = System.nanoTime() + 15_000_000_000L;
                String version = "1";
                while (!version.equals(Integer.toString(v2)) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    version = server.models().get("credit").orElseThrow().version();
                }
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
}
