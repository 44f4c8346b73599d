package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One server, 100 models (the same bundle loaded 100 times, as independent objects). */
class ManyModelsTest {
    static final int MODELS = 100;

    @Test
    void aHundredModelsEachScoreAndCountOnTheirOwn() {
        ModelHost host = new ModelHost();
        Set<KilnModel> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long loadStart = System.nanoTime();
        for (int i = 0; i < MODELS; i++) {
            distinct.add(host.load("m" + i, bundle("credit-gbdt"), "v" + i).model());
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        assertThat(distinct).hasSize(MODELS);
        List<Map<String, Object>> rows = Fixtures.rows(distinct.iterator().next()).subList(0, 1);
        String body = InferenceServerTest.json(Map.of("instances", rows));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(base, "/v2/health/ready").status()).isEqualTo(200);
            long start = System.nanoTime();
            Set<String> versions = new HashSet<>();
            for (int i = 0; i < MODELS; i++) {
                Reply r = postText(base, "/v1/models/m" + i + ":predict", body, Map.of());
                assertThat(r.status()).as("m" + i + ": " + r.text()).isEqualTo(200);
                assertThat(r.body().get("model_name").asText()).isEqualTo("m" + i);
                versions.add(r.header(InferenceServer.VERSION_HEADER));
            }
            double scoreSeconds = (System.nanoTime() - start) / 1e9;
            assertThat(versions).hasSize(MODELS);
            Metrics m = Metrics.scrape(base);
            for (int i = 0; i < MODELS; i++) {
                assertThat(m.requests("m" + i, "v" + i, "success")).as("m" + i).isEqualTo(1);
            }
            assertThat(m.text().lines().filter(l -> l.startsWith("kiln_requests_total{")).count()).isEqualTo(MODELS);
            Reply ready = get(base, "/v2/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().get("ready").asBoolean()).isTrue();
            System.out.printf("ManyModelsTest: loaded %d models in %.2f s, scored each once in %.2f s%n", MODELS, loadSeconds,
                    scoreSeconds);
        }
    }
}
