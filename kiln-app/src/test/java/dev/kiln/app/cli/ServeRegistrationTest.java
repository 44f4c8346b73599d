package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.Deployment;
import dev.kiln.store.KilnStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kiln serve registers itself in the home's store, beats with what it serves and its traffic, and deregisters on close. */
class ServeRegistrationTest {
    @TempDir
    Path home;

    private ServeCommand command(String... args) {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        command.heartbeatEvery = Duration.ofMillis(200);
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> model(Deployment d) {
        List<Map<String, Object>> models = (List<Map<String, Object>>) d.status().get("models");
        return models == null || models.isEmpty() ? Map.of() : models.get(0);
    }

    @Test
    void aServerWithTrafficIsLiveWithItsCanaryAndRateAndGoneWhenItStops() throws Exception {
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().register("credit", RolloutBundles.good(), null, "test", "first");
            s.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
            s.registry().register("credit", RolloutBundles.wrong(), null, "test", "candidate");
        }
        ServeCommand command = command("--home", home.toString(), "--port", "0", "--poll-seconds", "1",
                "--model", "credit=credit", "--canary", "credit=credit:2", "--canary-percent", "credit=50");
        try (KilnStore store = KilnStore.open(home, null)) {
            int port;
            try (InferenceServer server = command.start(); LiveTraffic traffic = new LiveTraffic(server.port(), false, null)) {
                port = server.port();
                List<Deployment> seen = Poll.until(() -> store.deployments().list(),
                        l -> l.size() == 1 && model(l.get(0)).get("request_rate") instanceof Number r && r.doubleValue() > 0
                                && model(l.get(0)).get("p99_ms") != null,
                        Duration.ofSeconds(30));
                assertThat(seen).hasSize(1);
                Deployment d = seen.get(0);
                assertThat(d.id()).isEqualTo(command.heartbeat.id());
                assertThat(d.url()).isEqualTo("http://127.0.0.1:" + port);
                assertThat(d.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(d.state()).isEqualTo(Deployment.LIVE);
                assertThat(d.kilnVersion()).isEqualTo(KilnVersion.get());
                assertThat(d.heartbeatInterval()).isEqualTo(Duration.ofMillis(200));
                assertThat(d.logDir()).isEqualTo(home.resolve("logs/predictions").toAbsolutePath().normalize().toString());
                assertThat(d.status()).containsEntry("state", "serving");
                Map<String, Object> credit = model(d);
                assertThat(credit).containsEntry("name", "credit").containsEntry("version", "1")
                        .containsEntry("ref", "credit").containsEntry("alias", "production");
                assertThat((Map<String, Object>) credit.get("canary")).containsEntry("version", "2").containsEntry("percent", 50.0)
                        .containsEntry("ref", "credit:2");
                assertThat(((Number) credit.get("requests_total")).longValue()).isPositive();
                assertThat(((Number) credit.get("p99_ms")).doubleValue()).isPositive();
                assertThat(credit.get("error_rate")).isEqualTo(0.0);
                assertThat(traffic.failures).isEmpty();
            }
            assertThat(store.deployments().list()).as("deregistered when the server closed").isEmpty();
        }
    }

    @Test
    void bundlesServedFromAHomeWithoutAStoreRegisterNowhere() throws Exception {
        ServeCommand command = command("--home", home.toString(), "--port", "0", "--no-log", "--model", "direct=" + RolloutBundles.good());
        try (InferenceServer server = command.start()) {
            assertThat(server.models().names()).containsExactly("direct");
            assertThat(command.heartbeat).isNull();
        }
        assertThat(home.resolve("kiln.db")).as("no store created just to register").doesNotExist();
    }

    @Test
    void bundlesServedFromAHomeWithAStoreRegisterWithoutAnAlias() throws Exception {
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.deployments().list()).isEmpty();
        }
        Path bundle = RolloutBundles.good();
        ServeCommand command = command("--home", home.toString(), "--port", "0", "--no-log", "--model", "direct=" + bundle);
        try (KilnStore store = KilnStore.open(home, null); InferenceServer server = command.start()) {
            Deployment d = Poll.until(() -> store.deployments().list(), l -> !l.isEmpty(), Duration.ofSeconds(30)).get(0);
            assertThat(d.logDir()).as("--no-log").isNull();
            assertThat(model(d)).containsEntry("name", "direct").containsEntry("ref", bundle.toAbsolutePath().normalize().toString());
            assertThat(model(d).get("alias")).isNull();
            assertThat((String) model(d).get("version")).startsWith("sha256:");
            assertThat(Files.exists(home.resolve("kiln.db"))).isTrue();
        }
    }
}
