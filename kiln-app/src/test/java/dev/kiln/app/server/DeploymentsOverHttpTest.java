package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.Poll;
import dev.kiln.app.cli.InProcessServe;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.DeploymentStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/deployments over HTTP, with a real kiln serve in this JVM registering itself in the same home's store. */
class DeploymentsOverHttpTest {
    @TempDir
    Path home;

    private static JsonNode only(TestServer.Res r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("deployments");
    }

    @Test
    void aServingProcessIsListedLiveWithWhatItServesAndItsTrafficThenGoneWhenItStops() throws Exception {
        try (TestServer s = TestServer.start(home)) {
            s.store.registry().register("credit", InProcessServe.goodBundle(), null, "test", "first");
            s.store.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
            s.store.registry().register("credit", InProcessServe.otherBundle(), null, "test", "candidate");
            TestServer.Res none = s.get("/api/deployments", null);
            assertThat(only(none)).isEmpty();
            assertThat(none.json().get("lost_after_heartbeats").asInt()).isEqualTo(3);

            String id;
            try (InferenceServer serve = InProcessServe.start(Duration.ofMillis(250), "--home", home.toString(), "--port", "0",
                    "--poll-seconds", "1", "--model", "credit=credit", "--canary", "credit=credit:2", "--canary-percent", "credit=20",
                    "--shadow", "credit=credit:2");
                 AutoCloseable traffic = InProcessServe.traffic(serve.port())) {
                JsonNode list = Poll.until(() -> only(s.get("/api/deployments", null)), l -> l.size() == 1
                        && l.get(0).at("/status/models/0/request_rate").asDouble() > 0, Duration.ofSeconds(30));
                assertThat(list).hasSize(1);
                JsonNode d = list.get(0);
                id = d.get("id").asText();
                assertThat(d.get("url").asText()).isEqualTo("http://127.0.0.1:" + serve.port());
                assertThat(d.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
                assertThat(d.get("host").asText()).isNotBlank();
                assertThat(d.get("state").asText()).isEqualTo("live");
                assertThat(d.get("kiln_version").asText()).isEqualTo(KilnVersion.get());
                assertThat(d.get("heartbeat_seconds").asDouble()).isEqualTo(0.25);
                assertThat(d.get("age_seconds").asDouble()).isLessThan(0.75);
                assertThat(Instant.parse(d.get("started_at").asText())).isBeforeOrEqualTo(Instant.parse(d.get("heartbeat_at").asText()));
                assertThat(d.get("log_dir").asText()).endsWith("predictions");
                JsonNode credit = d.at("/status/models/0");
                assertThat(credit.get("name").asText()).isEqualTo("credit");
                assertThat(credit.get("version").asText()).isEqualTo("1");
                assertThat(credit.get("alias").asText()).isEqualTo("production");
                assertThat(credit.at("/canary/version").asText()).isEqualTo("2");
                assertThat(credit.at("/canary/percent").asDouble()).isEqualTo(20.0);
                assertThat(credit.at("/shadow/version").asText()).isEqualTo("2");
                assertThat(credit.get("p99_ms").asDouble()).isPositive();
                assertThat(credit.get("error_rate").asDouble()).isZero();
                assertThat(InProcessServe.answered(traffic)).isPositive();

                TestServer.Res one = s.get("/api/deployments/" + id, null);
                assertThat(one.status()).as(one.toString()).isEqualTo(200);
                assertThat(one.json().get("id").asText()).isEqualTo(id);
                assertThat(one.json().at("/status/models/0/name").asText()).isEqualTo("credit");
            }
            assertThat(Poll.until(() -> only(s.get("/api/deployments", null)), l -> l.isEmpty(), Duration.ofSeconds(10)))
                    .as("deregistered when it stopped").isEmpty();
            TestServer.Res gone = s.get("/api/deployments/" + id, null);
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.errorCode()).isEqualTo("deployment_not_found");
            assertThat(gone.json().at("/error/message").asText()).contains(id);
        }
    }

    @Test
    void aSilentDeploymentIsListedLostAfterTheLiveOnes() throws Exception {
        try (TestServer s = TestServer.start(home)) {
            DeploymentStore store = s.store.deployments();
            String silent = store.register(new DeploymentStore.Registration("http://a.example:8080", "1", null, Duration.ofMillis(20)),
                    Map.of("models", List.of()), Instant.now()).id();
            String live = store.register(new DeploymentStore.Registration("http://b.example:8080", "1", null, Duration.ofMinutes(1)),
                    Map.of("models", List.of()), Instant.now()).id();
            JsonNode list = Poll.until(() -> only(s.get("/api/deployments", null)),
                    l -> l.size() == 2 && l.get(1).get("state").asText().equals("lost"), Duration.ofSeconds(10));
            assertThat(list.get(0).get("id").asText()).isEqualTo(live);
            assertThat(list.get(0).get("state").asText()).isEqualTo("live");
            assertThat(list.get(1).get("id").asText()).isEqualTo(silent);
            assertThat(list.get(1).get("age_seconds").asDouble()).isGreaterThan(0.06);
            TestServer.Res counts = s.get("/api/deployments", null);
            assertThat(counts.json().get("live").asInt()).isEqualTo(1);
            assertThat(counts.json().get("lost").asInt()).isEqualTo(1);
        }
    }

    @Test
    void badAndUnknownIdsAreClearErrors() {
        try (TestServer s = TestServer.start(home)) {
            TestServer.Res bad = s.get("/api/deployments/not-a-uuid", null);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.errorCode()).isEqualTo("invalid_argument");
            assertThat(bad.json().at("/error/message").asText()).contains("{deployment}", "UUID");
            String unknown = UUID.randomUUID().toString();
            TestServer.Res missing = s.get("/api/deployments/" + unknown, null);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.errorCode()).isEqualTo("deployment_not_found");
        }
    }
}
