package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kiln models rollout: what a person sees, and its exit codes. */
class RolloutCliTest {
    @TempDir
    Path home;
    Path tokenFile;
    int candidate;

    @BeforeEach
    void registry() throws Exception {
        tokenFile = Files.writeString(home.resolve("admin.token"), RolloutEndToEndTest.ADMIN + "\n");
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().register("credit", RolloutBundles.good(), null, "test", "production");
            s.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
            candidate = s.registry().register("credit", RolloutBundles.good(), null, "test", "candidate").version();
        }
    }

    private InferenceServer serve() {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "1",
                "--model", "credit=credit", "--admin-token-file", tokenFile.toString());
        return command.start();
    }

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    private List<String> types() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().history("credit").stream().map(ModelEvent::type).toList();
        }
    }

    private int production() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().model("credit").orElseThrow().aliases().get("production");
        }
    }

    @Test
    void aDirectRolloutMovesTheAliasAndWaitsUntilTheServerAnswersWithIt() throws Exception {
        try (InferenceServer server = serve()) {
            CliRun run = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:" + server.port(),
                    "--admin-token-file", tokenFile.toString(), "--rollout", "direct", "--max-regression", "1", "--json");
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode r = BadInputTest.json(run.out());
            assertThat(r.get("outcome").asText()).isEqualTo("promoted");
            assertThat(r.get("lead_time_ms").asLong()).isPositive();
            assertThat(server.models().get("credit").orElseThrow().version()).as("answering when the command returns")
                    .isEqualTo(Integer.toString(candidate));
            assertThat(run.err()).contains("promote: credit@production: 1 -> " + candidate).contains("answering:");
        }
        assertThat(production()).isEqualTo(candidate);
        assertThat(types()).contains("rollout_step", "alias_set");
    }

    @Test
    void aServerThatCannotBeReachedExits8NamingItsUrlAndLeavesTheAlias() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        long start = System.nanoTime();
        CliRun run = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:" + port,
                "--admin-token-file", tokenFile.toString(), "--unavailable-wait-seconds", "1", "--max-regression", "1");
        assertThat(System.nanoTime() - start).as("within the configured wait, with a margin").isLessThan(15_000_000_000L);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(8);
        assertThat(run.err()).contains("error [unavailable]").contains("http://127.0.0.1:" + port);
        assertThat(run.out()).contains("credit@production stays 1: failed");
        assertThat(production()).isEqualTo(1);
        assertThat(types()).contains("rollout_failed");
    }

    @Test
    void aRefusedTokenExits7NamingTheTokenFile() throws Exception {
        Path wrong = Files.writeString(home.resolve("wrong.token"), "not-the-admin-token-at-all");
        try (InferenceServer server = serve()) {
            CliRun run = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:" + server.port(),
                    "--admin-token-file", wrong.toString(), "--max-regression", "1", "--json");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(7);
            JsonNode error = BadInputTest.json(run.out()).get("error");
            assertThat(error.get("code").asText()).isIn("unauthenticated", "forbidden");
            assertThat(error.get("message").asText()).contains(wrong.toString());
            assertThat(error.get("details").get("outcome").asText()).isEqualTo("failed");
            assertThat(server.models().shadow("credit")).isEmpty();
        }
        assertThat(production()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsTouched() {
        CliRun skip = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:1",
                "--admin-token-file", tokenFile.toString(), "--skip", "shadow");
        assertThat(skip.exitCode()).isEqualTo(2);
        assertThat(skip.err()).contains("--force");
        CliRun noReason = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:1",
                "--admin-token-file", tokenFile.toString(), "--force");
        assertThat(noReason.exitCode()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");
        CliRun kind = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", "http://127.0.0.1:1",
                "--admin-token-file", tokenFile.toString(), "--rollout", "blue-green");
        assertThat(kind.exitCode()).isEqualTo(2);
        assertThat(kind.err()).contains("direct or shadow-canary");
        CliRun missing = kiln("models", "rollout", "credit", "99", "--serve", "http://127.0.0.1:1", "--admin-token-file", tokenFile.toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        CliRun same = kiln("models", "rollout", "credit", "1", "--serve", "http://127.0.0.1:1", "--admin-token-file", tokenFile.toString());
        assertThat(same.exitCode()).isEqualTo(2);
        assertThat(same.err()).contains("already");
        assertThat(types()).doesNotContain("rollout_step", "rollout_failed");
    }
    @Test
    void aShadowSomeoneElsePlacedIsNeitherReplacedNorRemoved() throws Exception {
        try (InferenceServer server = serve()) {
            String url = "http://127.0.0.1:" + server.port();
            new dev.kiln.app.promotion.ServeAdminClient(java.net.URI.create(url), RolloutEndToEndTest.ADMIN, "test",
                    java.time.Duration.ofSeconds(1), java.time.Clock.systemUTC()).putShadow("credit", "credit:1");
            CliRun run = kiln("models", "rollout", "credit", Integer.toString(candidate), "--serve", url,
                    "--admin-token-file", tokenFile.toString(), "--max-regression", "1");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
            assertThat(run.err()).contains("already has a shadow");
            assertThat(server.models().shadow("credit").orElseThrow().version()).isEqualTo("1");
        }
        assertThat(production()).isEqualTo(1);
    }
}
