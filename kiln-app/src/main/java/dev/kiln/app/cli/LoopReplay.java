package dev.kiln.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnModel;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replay of {@code kiln demo loop}: one request per day to a running {@code kiln serve} that follows the alias, the
 * day's label sent as feedback a week later, a weekly check of accuracy on the labels that arrived, and — when it has
 * dropped — an alert and a pipeline run on the recent window, whose candidate is gated and rolled out (or refused) while
 * live traffic keeps flowing. A model that is never retrained scores the same days, for comparison.
 */
final class LoopReplay {
    /** One replayed day. */
    record Day(String date, Map<String, Object> inputs, String label, String line) {
    }

    /** What the loop decided at a check: a run's outcome with its reason. */
    record Event(String date, String trigger, String status, String outcome, Integer version) {
    }

    record Quarter(String quarter, int days, double looping, double frozen, List<String> versions) {
    }

    /** The knobs of the loop. */
    record Settings(int labelDelayDays, int checkEveryDays, int checkWindowDays, double allowedDrop, int trainWindowDays,
                    int cooldownDays) {
        static Settings defaults() {
            return new Settings(7, 7, 28, 0.05, 365, 28);
        }
    }

    private final KilnStore store;
    private final PipelineSpec pipeline;
    private final Path recentFile;
    private final int port;
    private final String header;
    private final Settings settings;
    private final Consumer<String> say;
    private final HttpClient http = HttpClient.newHttpClient();
    final List<Event> events = new ArrayList<>();

    LoopReplay(KilnStore store, PipelineSpec pipeline, Path recentFile, int port, String header, Settings settings,
               Consumer<String> say) {
        this.store = store;
        this.pipeline = pipeline;
        this.recentFile = recentFile;
        this.port = port;
        this.header = header;
        this.settings = settings;
        this.say = say;
    }

    /** Replays {@code replay} after {@code history} (the training years); returns the accuracy per quarter. */
    List<Quarter> run(List<Day> history, List<Day> replay, KilnModel frozen) throws Exception {
        List<Day> labelled = new ArrayList<>(history);
        Deque<Pending> awaiting = new ArrayDeque<>();
        Map<String, int[]> looping = new TreeMap<>();
        Map<String, int[]> never = new TreeMap<>();
        Map<String, java.util.Set<String>> versions = new TreeMap<>();
        List<Boolean> recentHits = new ArrayList<>();
        int lastRetrain = -settings.cooldownDays();
        for (int d = 0; d < replay.size(); d++) {
            Day day = replay.get(d);
            JsonNode answer = post(pipeline.name() + ":predict", Map.of("instances", List.of(day.inputs())), 200);
            String served = answer.get("predictions").get(0).get("prediction").asText();
            String version = answer.get("model_version").asText();
            String frozenAnswer = String.valueOf(frozen.predict(day.inputs()).prediction());
            String q = quarter(day.date());
            tally(looping, q, served.equals(day.label()));
            tally(never, q, frozenAnswer.equals(day.label()));
            versions.computeIfAbsent(q, k -> new java.util.TreeSet<>()).add(version);
            awaiting.add(new Pending(d, answer.get("request_id").asText(), served, day));
            while (!awaiting.isEmpty() && awaiting.peek().index() <= d - settings.labelDelayDays()) {
                Pending p = awaiting.poll();
                post(pipeline.name() + ":feedback", Map.of("request_id", p.requestId(), "label", p.day().label()), 202);
                labelled.add(p.day());
                recentHits.add(p.served().equals(p.day().label()));
            }
            if (d > 0 && d % settings.checkEveryDays() == 0 && d - lastRetrain >= settings.cooldownDays()) {
                if (check(day, recentHits, labelled)) {
                    lastRetrain = d;
                    recentHits.clear();
                }
            }
        }
        List<Quarter> out = new ArrayList<>();
        looping.forEach((q, hits) -> out.add(new Quarter(q, hits[1], hits[0] / (double) hits[1],
                never.get(q)[0] / (double) never.get(q)[1], List.copyOf(versions.get(q)))));
        return out;
    }

    private record Pending(int index, String requestId, String served, Day day) {
    }

    /** Scoring requests for {@code days} in a loop on a background thread until closed (no feedback: not new labels). */
    private static final class RecentTraffic implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final Thread thread;

        RecentTraffic(int port, String model, List<Day> days) {
            HttpClient http = HttpClient.newHttpClient();
            thread = new Thread(() -> {
                int i = 0;
                while (!stop.get() && !days.isEmpty()) {
                    try {
                        DriftDemo.post(http, port, model + ":predict", Map.of("instances", List.of(days.get(i++ % days.size()).inputs())),
                                200);
                    } catch (IOException | RuntimeException e) {
                        // a refused request during a swap is the rollout's business; the traffic goes on
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "kiln-demo-loop-traffic");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The weekly check: accuracy of the served answers over the last {@code checkWindowDays} labels against the
     * production version's test accuracy. A drop past {@code allowedDrop} opens an alert and runs the pipeline on the
     * labelled rows of the last {@code trainWindowDays} days. Returns whether a run was started.
     */
    private boolean check(Day today, List<Boolean> recentHits, List<Day> labelled) throws Exception {
        if (recentHits.size() < settings.checkWindowDays()) {
            return false;
        }
        List<Boolean> window = recentHits.subList(recentHits.size() - settings.checkWindowDays(), recentHits.size());
        double accuracy = window.stream().filter(b -> b).count() / (double) window.size();
        ModelVersion production = store.registry().resolve(dev.kiln.store.ModelRef.parse(pipeline.name()));
        Double expected = production.metrics().get("accuracy");
        if (expected == null || expected - accuracy <= settings.allowedDrop()) {
            return false;
        }
        String message = String.format(java.util.Locale.ROOT, "accuracy over the last %d labelled days %.3f, %.3f below "
                + "%s:%d's test accuracy %.3f", window.size(), accuracy, expected - accuracy, production.model(),
                production.version(), expected);
        store.alerts().fire(pipeline.name(), production.version(), "accuracy-dropped", "metric_drop", "critical", message,
                Map.of("accuracy", accuracy, "expected", expected, "labelled", window.size(), "date", today.date()),
                Instant.now());
        say.accept(today.date() + ": alert accuracy-dropped: " + message + "; running the pipeline on the last "
                + settings.trainWindowDays() + " days with labels");
        writeRecent(labelled);
        PipelineRunner.Result r;
        // While the candidate is shadowed and canaried, traffic goes on: the last 60 labelled days, sent again.
        try (RecentTraffic traffic = new RecentTraffic(port, pipeline.name(), labelled.subList(Math.max(0, labelled.size() - 60),
                labelled.size()))) {
            r = PipelineRunner.run(store, pipeline, new PipelineRunner.Trigger("alert", "accuracy-dropped: " + message),
                    null, "kiln-demo-loop", null, s -> say.accept("  " + s.line()));
        } catch (RuntimeException e) {
            events.add(new Event(today.date(), "accuracy-dropped", "failed", e.getMessage(), null));
            return true;
        }
        ModelVersion now = store.registry().resolve(dev.kiln.store.ModelRef.parse(pipeline.name()));
        events.add(new Event(today.date(), "accuracy-dropped", r.status(), r.outcome(),
                now.version() != production.version() ? now.version() : null));
        store.alerts().resolve(pipeline.name(), "accuracy-dropped", Instant.now());
        if (now.version() != production.version()) {
            awaitServing(now.version());
        }
        return true;
    }

    /** The labelled rows of the last {@code trainWindowDays} days (by date), as the pipeline's data file. */
    private void writeRecent(List<Day> labelled) throws IOException {
        // The data writes dates as 2014/01/29; compared in ISO form.
        String last = labelled.get(labelled.size() - 1).date().replace('/', '-');
        String from = java.time.LocalDate.parse(last).minusDays(settings.trainWindowDays()).toString();
        List<String> lines = new ArrayList<>(List.of(header));
        for (Day d : labelled) {
            if (d.date().replace('/', '-').compareTo(from) > 0) {
                lines.add(d.line());
            }
        }
        DriftDemo.write(recentFile.getParent(), recentFile.getFileName().toString(), lines);
    }

    /** Waits (at most a minute) until the server answers with {@code version}: the alias moved and it followed. */
    private void awaitServing(int version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/"
                    + pipeline.name() + "/ready")).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && Json.mapper().readTree(r.body()).path("version").asText().equals(Integer.toString(version))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new dev.kiln.runtime.KilnException(dev.kiln.runtime.ErrorCode.UNAVAILABLE, "the server did not swap in version " + version + " within a minute");
    }

    private JsonNode post(String route, Object body, int expected) throws IOException, InterruptedException {
        return DriftDemo.post(http, port, route, body, expected);
    }

    private static void tally(Map<String, int[]> m, String key, boolean hit) {
        int[] c = m.computeIfAbsent(key, k -> new int[2]);
        c[0] += hit ? 1 : 0;
        c[1]++;
    }

    static String quarter(String date) {
        int month = Integer.parseInt(date.substring(5, 7));
        return date.substring(0, 4) + " Q" + ((month - 1) / 3 + 1);
    }
}
