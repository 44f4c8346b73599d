package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving NAME / NAME@ALIAS follows alias moves in the registry, under load, without failing a request. */
class RegistryFollowerTest {
    static final int THREADS = 3;

    @TempDir
    Path home;

    @Test
    void followsAliasMovesUnderLoadWithZeroFailures() throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            ModelRegistry reg = store.registry();
            ModelVersion v1 = reg.register("credit", bundle("credit-linear"), null, "test", "linear");
            ModelVersion v2 = reg.register("credit", bundle("credit-gbdt"), null, "test", "gbdt");
            reg.setAlias("credit", "production", 1, "test", "start", Map.of());
            Set<String> registered = Set.of(Integer.toString(v1.version()), Integer.toString(v2.version()));

            ModelHost host = new ModelHost();
            host.load("credit", reg.bundlePath(v1), "1");
            List<Map<String, Object>> rows = Fixtures.rows(KilnModel.load(bundle("credit-gbdt"))).subList(0, 5);
            String body = InferenceServerTest.json(Map.of("instances", rows));
            try (RegistryFollower follower = new RegistryFollower(host, reg, Duration.ofMillis(100))) {
                follower.follow("credit", ModelRef.parse("credit"), 1);
                follower.start();
                try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
                    String base = "http://127.0.0.1:" + server.port();
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicReference<String> last = new AtomicReference<>();
                    AtomicInteger done = new AtomicInteger();
                    Set<String> seen = ConcurrentHashMap.newKeySet();
                    List<String> failures = new CopyOnWriteArrayList<>();
                    List<Thread> clients = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        Thread c = new Thread(() -> {
                            while (!stop.get()) {
                                try {
                                    Fixtures.Reply r = Fixtures.postText(base, "/v1/models/credit:predict", body, Map.of());
                                    String version = r.header(InferenceServer.VERSION_HEADER);
                                    if (r.status() != 200 || version == null || !registered.contains(version)
                                            || !version.equals(r.body().get("model_version").asText())) {
                                        failures.add(r.status() + " " + version + " " + r.text());
                                    } else {
                                        seen.add(version);
                                        last.set(version);
                                    }
                                } catch (RuntimeException e) {
                                    failures.add(e.toString());
                                }
                                done.incrementAndGet();
                            }
                        });
                        c.start();
                        clients.add(c);
                    }
                    try {
                        await(() -> "1".equals(last.get()), "serving version 1");
                        reg.setAlias("credit", "production", 2, "test", "promote", Map.of());
                        await(() -> "2".equals(last.get()), "responses from version 2 after the alias moved");
                        reg.setAlias("credit", "production", 1, "test", "roll back", Map.of());
                        await(() -> "1".equals(last.get()), "responses from version 1 after the roll back");
                        int before = done.get();
                        await(() -> done.get() > before + 20, "more requests after the roll back");
                    } finally {
                        stop.set(true);
                        for (Thread c : clients) {
                            c.join(30_000);
                        }
                    }
                    System.out.printf("alias moved twice under load: %d requests, %d failed%n", done.get(), failures.size());
                    assertThat(failures).as("failed requests out of " + done.get()).isEmpty();
                    assertThat(seen).containsExactlyInAnyOrder("1", "2");
                    assertThat(host.lastError("credit")).isEmpty();
                    assertThat(follower.running()).isTrue();
                }
            }
        }
    }

    @Test
    void aBrokenVersionLeavesTheOldOneServingAndShowsInReadiness() throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            ModelRegistry reg = store.registry();
            ModelVersion v1 = reg.register("credit", bundle("credit-linear"), null, "test", "linear");
            ModelVersion v2 = reg.register("credit", bundle("credit-gbdt"), null, "test", "gbdt");
            reg.setAlias("credit", "staging", 1, "test", "start", Map.of());
            // Corrupt the stored copy of version 2: bundlePath's checksum verification now fails.
            Path stored = reg.bundlePath(v2);
            Path victim;
            try (Stream<Path> files = Files.list(stored)) {
                victim = files.filter(f -> f.getFileName().toString().equals("estimator.json")).findFirst().orElseThrow();
            }
            victim.toFile().setWritable(true);
            Files.writeString(victim, " ", StandardOpenOption.APPEND);

            ModelHost host = new ModelHost();
            host.load("credit", reg.bundlePath(v1), "1");
            try (RegistryFollower follower = new RegistryFollower(host, reg, Duration.ofMillis(100));
                    InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
                follower.follow("credit", ModelRef.parse("credit@staging"), 1);
                follower.start();
                String base = "http://127.0.0.1:" + server.port();
                reg.setAlias("credit", "staging", 2, "test", "broken", Map.of());
                await(() -> host.lastError("credit").isPresent(), "the failed load recorded");
                assertThat(host.lastError("credit").orElseThrow()).contains("version 2").contains("still serving version 1");

                Fixtures.Reply ready = Fixtures.get(base, "/v2/health/ready");
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.body().get("errors").get("credit").asText()).contains("version 2");
                Fixtures.Reply modelReady = Fixtures.get(base, "/v2/models/credit/ready");
                assertThat(modelReady.body().get("version").asText()).isEqualTo("1");
                assertThat(modelReady.body().get("last_error").asText()).contains("version 2");
                List<Map<String, Object>> rows = Fixtures.rows(KilnModel.load(bundle("credit-gbdt"))).subList(0, 2);
                Fixtures.Reply r = Fixtures.post(base, "/v1/models/credit:predict", Map.of("instances", rows));
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.header(InferenceServer.VERSION_HEADER)).isEqualTo("1");

                // A good version after the broken one is picked up and clears the error.
                ModelVersion v3 = reg.register("credit", bundle("credit-gbdt"), null, "test", "again");
                assertThat(v3.version()).isEqualTo(3);
                // v3 has the same content as v2 (content-addressed), so repair the stored copy first.
                Files.copy(bundle("credit-gbdt").resolve("estimator.json"), victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                reg.setAlias("credit", "staging", 3, "test", "fixed", Map.of());
                await(() -> "3".equals(host.get("credit").orElseThrow().version()), "version 3 served");
                assertThat(host.lastError("credit")).isEmpty();
                assertThat(Fixtures.get(base, "/v2/health/ready").body().has("errors")).isFalse();
            }
        }
    }

    @Test
    void pinnedReferencesAreNotFollowed() {
        assertThat(RegistryFollower.follows(ModelRef.parse("credit"))).isTrue();
        assertThat(RegistryFollower.follows(ModelRef.parse("credit@staging"))).isTrue();
        assertThat(RegistryFollower.follows(ModelRef.parse("credit:2"))).isFalse();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
