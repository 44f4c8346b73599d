package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Swapping the model under a name while requests are in flight fails none of them. */
class HotSwapTest {
    static final int THREADS = 4;
    static final int REQUESTS = 200;
    static final int SWAPS = 20;
    /** How long the whole run may take (it takes under a second): a stuck run fails with the threads' stacks. */
    static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void hotSwapUnderLoadFailsNoRequest() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = KilnModel.load(bundle("credit-linear"));
        KilnModel gbdt = KilnModel.load(bundle("credit-gbdt"));
        List<Map<String, Object>> rows = Fixtures.rows(gbdt).subList(0, 5);
        List<Prediction> fromLinear = rows.stream().map(linear::predict).toList();
        List<Prediction> fromGbdt = rows.stream().map(gbdt::predict).toList();
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        host.load("swap", bundle("credit-linear"), "linear-0");
        loaded.add("linear-0");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            String body = InferenceServerTest.json(Map.of("instances", rows));
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger done = new AtomicInteger();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<Future<List<String>>> clients = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                clients.add(pool.submit(() -> {
                    go.await();
                    List<String> failures = new ArrayList<>();
                    for (int i = 0; i < REQUESTS; i++) {
                        try {
                            check(Fixtures.postText(base, "/v1/models/swap:predict", body, Map.of()), loaded, seen,
                                    fromLinear, fromGbdt, failures);
                        } catch (RuntimeException e) {
                            // A request that throws (a reset connection, a timeout) is a failure like a 500, and
                            // the others go on: the swaps wait for answered requests, so none may stop counting.
                            failures.add(e.toString());
                        } finally {
                            done.incrementAndGet();
                        }
                    }
                    return failures;
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int s = 1; s <= SWAPS; s++) {
                // Spread the swaps over the run: swap s once s/(SWAPS+1) of the requests are answered.
                int answered = s * THREADS * REQUESTS / (SWAPS + 1);
                while (done.get() < answered) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(done.get() + " of " + answered + " requests answered before swap " + s
                                + " after " + WAIT + "; threads:\n" + threadDump());
                    }
                    Thread.sleep(1);
                }
                String version = (s % 2 == 1 ? "gbdt-" : "linear-") + s;
                loaded.add(version);  // announced before it can answer
                host.load("swap", bundle(s % 2 == 1 ? "credit-gbdt" : "credit-linear"), version);
            }
            List<String> failures = new ArrayList<>();
            try {
                for (Future<List<String>> f : clients) {
                    failures.addAll(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
            } catch (TimeoutException e) {
                throw new AssertionError("clients still running after " + WAIT + "; threads:\n" + threadDump(), e);
            }
            assertThat(failures).isEmpty();
            assertThat(seen).as("versions that answered").hasSizeGreaterThan(SWAPS / 2);
            assertThat(host.get("swap").orElseThrow().version()).isEqualTo("linear-" + SWAPS);

            Metrics metrics = Metrics.scrape(base);
            assertThat(metrics.requests("swap")).isEqualTo((double) THREADS * REQUESTS);
            assertThat(metrics.sample("kiln_requests_total", "model=\"swap\"", "outcome=\"success\""))
                    .isEqualTo((double) THREADS * REQUESTS);
            assertThat(metrics.latencyCount("swap")).isEqualTo((double) THREADS * REQUESTS);
        } finally {
            pool.shutdownNow(); // clients still sending after a failure stop here
        }
    }

    /** Checks one answer: a loaded version answered, with that version's predictions, never a mix. */
    private static void check(Fixtures.Reply r, Set<String> loaded, Set<String> seen, List<Prediction> fromLinear,
                              List<Prediction> fromGbdt, List<String> failures) {
        String version = r.header(InferenceServer.VERSION_HEADER);
        seen.add(String.valueOf(version));
        if (r.status() != 200 || version == null || !loaded.contains(version)
                || !version.equals(r.body().get("model_version").asText())) {
            failures.add(r.status() + " " + version + " " + r.text());
            return;
        }
        List<Prediction> expected = version.startsWith("linear") ? fromLinear : fromGbdt;
        JsonNode preds = r.body().get("predictions");
        for (int k = 0; k < expected.size(); k++) {
            double p = preds.get(k).get("probability_good").asDouble();
            if (p != expected.get(k).probabilities().get("good")) {
                failures.add("version " + version + " row " + k + ": " + p);
            }
        }
    }

    /** Every live thread's stack, for a run that got stuck. */
    static String threadDump() {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
            if (info.getLockName() != null) {
                out.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                out.append(" owned by \"").append(info.getLockOwnerName()).append('"');
            }
            out.append('\n');
            for (StackTraceElement e : info.getStackTrace()) {
                out.append("    at ").append(e).append('\n');
            }
        }
        return out.toString();
    }
}
