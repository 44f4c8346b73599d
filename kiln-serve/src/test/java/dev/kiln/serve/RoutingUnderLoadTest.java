package dev.kiln.serve;

import static dev.kiln.serve.CanaryServerTest.delete;
import static dev.kiln.serve.CanaryServerTest.put;
import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Canaries, shadows and bandits set, changed and removed while requests keep coming: no request fails. */
class RoutingUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void changingTheRoutingUnderLoadFailsNoRequest() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        Path roots = fixture.roots();
        ModelHost host = fixture.host();
        ModelRepository repo = fixture.repo();
        String linear = InferenceServerTest.json(roots.resolve("linear").toString());
        String gbdt = InferenceServerTest.json(roots.resolve("gbdt").toString());
        String gbdtVersion = ModelRepository.bundleVersion(roots.resolve("gbdt"));
        String linearVersion = ModelRepository.bundleVersion(roots.resolve("linear"));
        KilnModel model = host.get("credit").orElseThrow().model();
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(model).get(2))));
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(repo);
        PredictionLog log = new PredictionLog(dir.resolve("log"));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log, options)) {
            String base = "http://127.0.0.1:" + server.port();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = new CopyOnWriteArrayList<>();
            Set<String> versions = ConcurrentHashMap.newKeySet();
            AtomicInteger done = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    int i = 0;
                    while (!stop.get()) {
                        Map<String, String> headers = i % 2 == 0 ? Map.of(InferenceServer.ROUTE_KEY_HEADER, "k" + id + "-" + i) : Map.of();
                        Reply r = postText(base, "/v1/models/credit:predict", body, headers);
                        if (r.status() != 200) {
                            failures.add(r.status() + " " + r.text());
                        } else {
                            versions.add(r.header(InferenceServer.VERSION_HEADER));
                            Reply f = postText(base, "/v1/models/credit:feedback", "{\"request_id\": \""
                                    + r.body().get("request_id").asText() + "\", \"reward\": 1}", Map.of());
                            if (f.status() != 202) {
                                failures.add("feedback " + f.status() + " " + f.text());
                            }
                        }
                        done.incrementAndGet();
                        i++;
                    }
                });
                th.start();
                clients.add(th);
            }
            String path = "/v2/repository/models/credit/";
            for (int round = 0; round < 3; round++) {
                List<Reply> admin = List.of(
                        put(base, path + "canary", "{\"ref\": " + gbdt + ", \"percent\": 50}", bearer(ADMIN)),
                        put(base, path + "canary", "{\"percent\": 5}", bearer(ADMIN)),
                        put(base, path + "shadow", "{\"ref\": " + gbdt + "}", bearer(ADMIN)),
                        delete(base, path + "canary", bearer(ADMIN)),
                        put(base, path + "bandit", "{\"refs\": [" + linear + ", " + gbdt + "]}", bearer(ADMIN)),
                        delete(base, path + "shadow", bearer(ADMIN)),
                        delete(base, path + "bandit", bearer(ADMIN)));
                for (Reply r : admin) {
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    Thread.sleep(60);
                }
            }
            stop.set(true);
            for (Thread th : clients) {
                th.join(30_000);
            }
            assertThat(failures).isEmpty();
            assertThat(done.get()).isGreaterThan(50);
            assertThat(versions).as("every answer from a version that was configured").isSubsetOf("1", gbdtVersion, linearVersion);
            assertThat(versions).contains("1", gbdtVersion);
            Metrics m = Metrics.scrape(base);
            assertThat(m.sample("kiln_requests_total", "outcome=\"server_error\"")).isZero();
            assertThat(m.sample("kiln_shadow_rows_total", "outcome=\"error\"")).isZero();
        }
    }
}
