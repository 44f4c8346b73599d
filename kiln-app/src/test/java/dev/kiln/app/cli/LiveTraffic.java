package dev.kiln.app.cli;

import dev.kiln.serve.InferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients of a running server on a background thread until closed: scoring requests for {@code credit} (x1, x2 drawn
 * at random), each followed, when {@code labels}, by its feedback ({@link RolloutBundles#truth}); and, when
 * {@code failVersion} is set, a request pinned to that version that it refuses (a string for a number), so that the
 * version's error rate climbs while it serves as a canary.
 */
final class LiveTraffic implements AutoCloseable {
    private final String base;
    private final boolean labels;
    private final String failVersion;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    final AtomicLong answered = new AtomicLong();
    /** Scoring requests to the model (not the pinned ones) that were not answered 200, by status. */
    final ConcurrentHashMap<Integer, AtomicLong> failures = new ConcurrentHashMap<>();

    LiveTraffic(int port, boolean labels, String failVersion) {
        this.base = "http://127.0.0.1:" + port;
        this.labels = labels;
        this.failVersion = failVersion;
        this.thread = new Thread(this::run, "rollout-test-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Random r = new Random(3);
        while (!stop.get()) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            try {
                HttpResponse<String> res = post("/v1/models/credit:predict",
                        String.format(Locale.ROOT, "{\"instances\": [{\"x1\": %.4f, \"x2\": %.4f}]}", x1, x2));
                if (res.statusCode() != 200) {
                    failures.computeIfAbsent(res.statusCode(), s -> new AtomicLong()).incrementAndGet();
                    continue;
                }
                answered.incrementAndGet();
                if (labels) {
                    String id = res.headers().firstValue(InferenceServer.REQUEST_ID_HEADER).orElseThrow();
                    post("/v1/models/credit:feedback", "{\"request_id\": \"" + id + "\", \"label\": \""
                            + RolloutBundles.truth(x1, r.nextGaussian()) + "\"}");
                }
                if (failVersion != null) {
                    post("/v2/models/credit/versions/" + failVersion + "/infer", "{\"inputs\": ["
                            + "{\"name\": \"x1\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"not a number\"]},"
                            + "{\"name\": \"x2\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [0.5]}]}");
                }
            } catch (java.io.IOException e) {
                failures.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet(); // the server went away
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private HttpResponse<String> post(String path, String body) throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
    }
}
