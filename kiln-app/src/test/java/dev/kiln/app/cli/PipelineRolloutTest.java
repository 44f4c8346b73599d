package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline's promote stage through a running {@code kiln serve} that follows the alias: shadow on live traffic,
 * canary steps, the alias, and the server answering with the new version — every step in the model's history.
 */
class PipelineRolloutTest {
    static final String ADMIN = "pipeline-rollout-admin-token-0123456789";

    @TempDir
    Path dir;

    private static void data(Path file, int seed, int rows) throws IOException {
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        Random r = new Random(seed);
        for (int i = 0; i < rows; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x1, x2, RolloutBundles.truth(x1, r.nextGaussian())));
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb);
    }

    @Test
    void aNewVersionGoesThroughShadowAndCanaryOnLiveTrafficThenAnswers() throws Exception {
        Path home = dir.resolve(".kiln");
        Path token = Files.writeString(dir.resolve("admin.token"), ADMIN + "\n");
        data(dir.resolve("data/credit.csv"), 7, 400);
        Path file = dir.resolve("kiln.yaml");
        String head = """
                name: credit
                data: data/credit.csv
                target: y
                train:
                  algorithms: [baseline, linear]
                gates:
                  max_regression: 0.2
                """;
        Files.writeString(file, head);
        CliRun first = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString());
        assertThat(first.exitCode()).as(first.err() + first.out()).isZero();

        ServeCommand serve = new ServeCommand();
        serve.env = name -> null;
        new CommandLine(serve).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "1",
                "--model", "credit=credit", "--admin-token-file", token.toString());
        try (InferenceServer server = serve.start(); LiveTraffic traffic = new LiveTraffic(server.port(), true, null)) {
            Files.writeString(file, head + """
                    promote:
                      rollout: shadow-canary
                    rollout:
                      serve: http://127.0.0.1:%d
                      admin_token_file: admin.token
                      shadow_requests: 30
                      canary_steps: [50, 100]
                      canary_interval_seconds: 1
                      max_wait: 2m
                      log_dir: .kiln/logs/predictions
                    """.formatted(server.port()));
            data(dir.resolve("data/credit.csv"), 8, 500);
            CliRun second = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString(), "--json");
            assertThat(second.exitCode()).as(second.err() + second.out()).isZero();
            JsonNode promote = BadInputTest.json(second.out()).get("stages").get(5);
            assertThat(promote.get("status").asText()).isEqualTo("ran");
            assertThat(promote.get("message").asText()).contains("credit@production -> version 2 (was 1) through shadow-canary");
            assertThat(promote.get("output").get("answering_after_seconds").asDouble()).isPositive();
            assertThat(server.models().get("credit").orElseThrow().version()).isEqualTo("2");
            assertThat(traffic.failures).as("no live request failed").isEmpty();
        }
        try (KilnStore s = KilnStore.open(home, null)) {
            List<String> steps = s.registry().history("credit").stream().filter(e -> e.type().equals("rollout_step"))
                    .map(e -> String.valueOf(e.details().get("step"))).toList();
            assertThat(steps).containsSubsequence("shadow", "canary_step", "answering");
            assertThat(s.registry().history("credit")).extracting(ModelEvent::type).contains("live_evidence", "alias_set");
        }
    }
}
