package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.Poll;
import dev.kiln.kafka.KafkaBroker;
import dev.kiln.kafka.KafkaLogSink;
import dev.kiln.kafka.KafkaUri;
import dev.kiln.kafka.LogRecords;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.log.LogFile;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.log.LogSink;
import dev.kiln.runtime.log.RotatingFileSink;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The prediction log through a real Kafka broker (KRaft, a child JVM): a served model's records on the topic are the
 * file sink's lines byte for byte; {@code kiln drift --logs} and {@code kiln monitor performance} over a window of
 * the topic say what they say over the same lines in files; a server whose broker goes away keeps answering, counts
 * what it loses and sends again once the broker is back; malformed URIs and an unreachable broker are errors naming
 * the option.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaPredictionLogTest {
    @TempDir
    static Path dir;
    KafkaBroker broker;
    Path bundle;
    final HttpClient http = HttpClient.newHttpClient();
    final Random random = new Random(7);

    /** The window of the tee'd traffic that drift and performance read: the middle of three batches. */
    Instant since;
    Instant until;
    int middleRows;

    @BeforeAll
    void startBrokerAndServeThroughBothSinks() throws Exception {
        broker = KafkaBroker.start(dir.resolve("broker"));
        broker.createTopic("tee", 2);
        broker.createTopic("served", 1);
        bundle = RolloutBundles.good();

        ModelHost host = new ModelHost();
        host.load("credit", bundle, "1");
        KafkaLogSink kafka = KafkaLogSink.open(uri("tee", ""), "--log-sink", Duration.ofSeconds(30));
        LogSink both = new TeeSink(new RotatingFileSink(dir.resolve("logs"), 1 << 14), kafka);
        PredictionLog log = new PredictionLog(dir.resolve("logs"), PredictionLog.Options.defaults(), both);
        kafka.onLoss(log::countLost);
        try (InferenceServer server = InferenceServer.start(host, null, 0, log)) {
            send(server.port(), 40, true);
            awaitWritten(log, 80);
            since = Instant.now();
            awaitClockPast(since);
            middleRows = send(server.port(), 60, true);
            awaitWritten(log, 200);
            until = Instant.now();
            awaitClockPast(until);
            send(server.port(), 30, true);
        }
        assertThat(log.failed()).isZero();
        assertThat(log.dropped()).isZero();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theTopicHoldsTheFileSinksLinesByteForByte() throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records = records("tee");
        for (String kind : List.of(LogFormat.PREDICTIONS, LogFormat.FEEDBACK)) {
            List<String> fromFiles = new ArrayList<>();
            for (LogFile f : LogFile.list(dir.resolve("logs").resolve("credit"), kind)) {
                for (String line : Files.readString(f.path(), StandardCharsets.UTF_8).split("(?<=\n)")) {
                    fromFiles.add(line);
                }
            }
            List<String> fromTopic = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("credit");
                if (kind.equals(new String(r.headers().lastHeader(LogRecords.KIND_HEADER).value(), StandardCharsets.UTF_8))) {
                    fromTopic.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            assertThat(fromFiles).as(kind).hasSize(130);
            assertThat(fromTopic).as(kind).isEqualTo(fromFiles);
        }
    }

    @Test
    void driftAndPerformanceOverAWindowOfTheTopicAreThoseOverTheFiles() {
        String window = "--since=" + since + " --until=" + until;
        List<String> drift = List.of("drift", "--reference", bundle.toString(), "--logs", "credit", "--json",
                "--since", since.toString(), "--until", until.toString(), "--home", dir.resolve("home").toString());
        CliRun files = CliRun.of(with(drift, "--log-dir", dir.resolve("logs").toString()));
        CliRun topic = CliRun.of(with(drift, "--log-source", uri("tee", "").text()));
        assertThat(files.exitCode()).as(files.err()).isIn(0, 6);
        assertThat(topic.exitCode()).as(topic.err()).isEqualTo(files.exitCode());
        assertThat(json(topic.out())).as(window).isEqualTo(json(files.out()));
        assertThat(json(files.out()).get("current").get("rows").asInt()).isEqualTo(middleRows);

        List<String> performance = List.of("monitor", "performance", "--model", "credit", "--ref", bundle.toString(), "--json",
                "--since", since.toString(), "--until", until.toString(), "--home", dir.resolve("home").toString());
        CliRun filesPerf = CliRun.of(with(performance, "--log-dir", dir.resolve("logs").toString()));
        CliRun topicPerf = CliRun.of(with(performance, "--log-source", uri("tee", "").text()));
        assertThat(filesPerf.exitCode()).as(filesPerf.err()).isZero();
        assertThat(topicPerf.exitCode()).as(topicPerf.err()).isZero();
        // The same report, but for what each source handed over: files (some skipped by their names' stamps) there,
        // the partition's offsets around the window here. The records kept and the unreadable lines are the same.
        assertThat(withoutSourceCounts(json(topicPerf.out()))).isEqualTo(withoutSourceCounts(json(filesPerf.out())));
        assertThat(json(topicPerf.out()).get("predictions_read").get("records").asInt()).isEqualTo(middleRows);
        assertThat(json(topicPerf.out()).get("predictions_read").get("files").asInt()).isEqualTo(1);
    }

    @Test
    void explainTracesARequestFromTheTopicAsFromTheFiles() {
        String id = records("tee").stream()
                .filter(r -> LogFormat.PREDICTIONS.equals(new String(r.headers().lastHeader(LogRecords.KIND_HEADER).value(),
                        StandardCharsets.UTF_8)))
                .map(KafkaPredictionLogTest::requestId).findFirst().orElseThrow();
        List<String> explain = List.of("explain", "credit", id, "--ref", bundle.toString(), "--json",
                "--home", dir.resolve("home").toString());
        CliRun files = CliRun.of(with(explain, "--log-dir", dir.resolve("logs").toString()));
        CliRun topic = CliRun.of(with(explain, "--log-source", uri("tee", "").text()));
        assertThat(files.exitCode()).as(files.err()).isZero();
        assertThat(topic.exitCode()).as(topic.err()).isZero();
        assertThat(json(topic.out())).isEqualTo(json(files.out()));
        assertThat(json(topic.out()).get("rows").size()).isPositive();

        CliRun unknown = CliRun.of(with(List.of("explain", "credit", "no-such-request", "--ref", bundle.toString(),
                "--home", dir.resolve("home").toString()), "--log-source", uri("tee", "").text()));
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("no-such-request").contains("on " + uri("tee", "").text());
    }

    /** kiln server --log-source: the monitoring API over the topic says what it says over the same lines in files. */
    @Test
    void theServersMonitoringOverTheTopicIsThatOverTheFiles() throws Exception {
        Path home = dir.resolve("server-home");
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
            store.registry().register("credit", bundle, null, "test", "served as credit:1");
            String query = "/api/models/credit/monitoring?window=hour&from=" + since.minus(Duration.ofHours(1)) + "&to="
                    + until.plus(Duration.ofHours(1));
            JsonNode files = monitoring(store, home, dev.kiln.app.server.MonitoringSources.of(List.of(dir.resolve("logs"))), query);
            JsonNode topic = monitoring(store, home, dev.kiln.app.server.MonitoringSources.none()
                    .withTopics(List.of(uri("tee", ""))), query);
            assertThat(topic.get("log_dirs").get(0).asText()).isEqualTo(uri("tee", "").text());
            assertThat(topic.get("performance").size()).as("labelled windows").isPositive();
            assertThat(topic.get("performance").get(0).get("log_dir").asText()).startsWith(uri("tee", "").text());
            assertThat(withoutWhere(topic)).isEqualTo(withoutWhere(files));
            assertThat(topic.get("rows").asInt()).isEqualTo(130);
        }
        CliRun bad = CliRun.of("server", "--home", home.toString(), "--port", "0", "--log-source", "kafka://localhost/x");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--log-source 'kafka://localhost/x' is not a Kafka URI");
    }

    /** The monitoring report without where each part was read from, nor how long it took. */
    private static JsonNode withoutWhere(JsonNode report) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = report.deepCopy();
        copy.remove(List.of("log_dirs", "elapsed_ms"));
        copy.get("performance").forEach(p -> ((com.fasterxml.jackson.databind.node.ObjectNode) p).remove("log_dir"));
        return copy;
    }

    private JsonNode monitoring(dev.kiln.store.KilnStore store, Path home, dev.kiln.app.server.MonitoringSources logs, String query)
            throws Exception {
        try (dev.kiln.app.server.ApiServer server = dev.kiln.app.server.ApiServer.start(store,
                dev.kiln.app.server.ApiTokens.load(home), null, 0, logs)) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(server.url() + query)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            return json(res.body());
        }
    }

    /** A restarted server's bandit starts from the rewards in the --log-sink topic, as it does from --log-dir's files. */
    @Test
    void aBanditStartsFromTheRewardsOnTheTopicAsFromTheFiles() throws Exception {
        broker.createTopic("bandit", 1);
        Path files = dir.resolve("bandit-logs");
        ModelHost host = banditHost();
        KafkaLogSink kafka = KafkaLogSink.open(uri("bandit", ""), "--log-sink", Duration.ofSeconds(30));
        PredictionLog log = new PredictionLog(files, PredictionLog.Options.defaults(),
                new TeeSink(new RotatingFileSink(files, 1 << 14), kafka));
        int rewarded = 0;
        try (InferenceServer server = InferenceServer.start(host, null, 0, log)) {
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> res = post(server.port(), "/v1/models/arms:predict", "{\"instances\": [{\"x1\": 0.5, \"x2\": 0.1}]}");
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                String id = res.headers().firstValue(InferenceServer.REQUEST_ID_HEADER).orElseThrow();
                int reward = random.nextInt(2);
                rewarded += reward;
                HttpResponse<String> fb = post(server.port(), "/v1/models/arms:feedback",
                        "{\"request_id\": \"" + id + "\", \"reward\": " + reward + "}");
                assertThat(fb.statusCode()).as(fb.body()).isBetween(200, 299);
            }
            awaitWritten(log, 80);
        }
        ModelHost fromFiles = banditHost();
        ModelHost fromTopic = banditHost();
        TrafficOptions.restoreBandit(fromFiles, new dev.kiln.monitor.logs.PredictionLogReader(files, "arms"), "arms", Duration.ofHours(1));
        TrafficOptions.restoreBandit(fromTopic, new dev.kiln.monitor.logs.PredictionLogReader("arms",
                new dev.kiln.kafka.KafkaLogLines(uri("bandit", ""), "--log-sink", "arms")), "arms", Duration.ofHours(1));
        List<dev.kiln.serve.traffic.Bandit.Posterior> restored = fromTopic.bandit("arms").orElseThrow().posteriors();
        assertThat(restored).isEqualTo(fromFiles.bandit("arms").orElseThrow().posteriors());
        assertThat(restored.stream().mapToLong(dev.kiln.serve.traffic.Bandit.Posterior::rewards).sum()).isEqualTo(40);
        assertThat(restored.stream().mapToDouble(p -> p.alpha() - 1).sum()).isEqualTo(rewarded);
    }

    /** Model 'arms' served through a bandit over versions 1 and 2 (the same bundle), from its prior. */
    private ModelHost banditHost() {
        ModelHost host = new ModelHost();
        host.load("arms", bundle, "1");
        Map<String, dev.kiln.runtime.KilnModel> versions = new java.util.LinkedHashMap<>();
        versions.put("1", dev.kiln.runtime.KilnModel.load(bundle));
        versions.put("2", dev.kiln.runtime.KilnModel.load(bundle));
        host.putBandit("arms", versions);
        return host;
    }

    @Test
    void aServerWhoseBrokerGoesAwayKeepsAnsweringCountsWhatItLosesAndSendsAgainWhenItIsBack() throws Exception {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        new CommandLine(command).parseArgs("--model", "credit=" + bundle, "--port", "0", "--home", dir.resolve("home").toString(),
                "--log-sink", uri("served", "?delivery.timeout.ms=2000&request.timeout.ms=1000&linger.ms=0").text());
        try (InferenceServer server = command.start()) {
            PredictionLog log = server.predictionLog().orElseThrow();
            send(server.port(), 10, false);
            await(() -> records("served").size() >= 10, "the first records on the topic");

            broker.stop();
            int answered = send(server.port(), 50, false);
            assertThat(answered).isEqualTo(50); // every request answered while Kafka is down
            await(() -> log.failed() + log.dropped() > 0, "records lost while the broker is down, counted");
            assertThat(log.failed()).isPositive(); // lost after the producer took them: counted as failed

            broker.restart();
            Set<String> afterRestart = new HashSet<>();
            await(() -> {
                afterRestart.addAll(sendIds(server.port(), 5));
                return records("served").stream().anyMatch(r -> afterRestart.contains(requestId(r)));
            }, "records sent after the broker came back");
        }
    }

    @Test
    void malformedUrisAndAnUnreachableBrokerAreErrorsNamingTheOption() throws IOException {
        String home = dir.resolve("home").toString();
        CliRun serve = CliRun.of("serve", "--model", "credit=" + bundle, "--port", "0", "--home", home,
                "--log-sink", "kafka://localhost/predictions");
        assertThat(serve.exitCode()).isEqualTo(2);
        assertThat(serve.err()).contains("--log-sink 'kafka://localhost/predictions' is not a Kafka URI")
                .contains("HOST:PORT");

        CliRun drift = CliRun.of("drift", "--reference", bundle.toString(), "--logs", "credit", "--home", home,
                "--log-source", "kafka://localhost:9092");
        assertThat(drift.exitCode()).isEqualTo(2);
        assertThat(drift.err()).contains("--log-source 'kafka://localhost:9092' is not a Kafka URI").contains("/TOPIC");

        CliRun both = CliRun.of("monitor", "performance", "--model", "credit", "--ref", bundle.toString(), "--home", home,
                "--log-dir", dir.resolve("logs").toString(), "--log-source", uri("tee", "").text());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--log-dir or --log-source");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CliRun unreachable = CliRun.of("drift", "--reference", bundle.toString(), "--logs", "credit", "--home", home,
                "--log-source", "kafka://127.0.0.1:" + closed + "/tee?default.api.timeout.ms=1500");
        assertThat(unreachable.exitCode()).isEqualTo(8); // unavailable
        assertThat(unreachable.err()).contains("127.0.0.1:" + closed).contains("--log-source");
    }

    // --- helpers ---

    private KafkaUri uri(String topic, String settings) {
        return KafkaUri.parse("kafka://" + broker.bootstrap() + "/" + topic + settings, "--log-sink");
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** {@code node} without the counts of its read statistics that depend on the source (files or partitions). */
    private static JsonNode withoutSourceCounts(JsonNode node) {
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode copy = Json.mapper().createObjectNode();
            node.fields().forEachRemaining(e -> {
                if (!Set.of("files", "lines", "outsideWindow").contains(e.getKey())) {
                    copy.set(e.getKey(), withoutSourceCounts(e.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode copy = Json.mapper().createArrayNode();
            node.forEach(e -> copy.add(withoutSourceCounts(e)));
            return copy;
        }
        return node;
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Sends {@code n} one-row requests to credit (each followed by its feedback when asked); how many were answered 200. */
    private int send(int port, int n, boolean feedback) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            double x1 = random.nextGaussian();
            HttpResponse<String> res = post(port, "/v1/models/credit:predict", String.format(Locale.ROOT,
                    "{\"instances\": [{\"x1\": %.4f, \"x2\": %.4f}]}", x1, random.nextGaussian()));
            if (res.statusCode() != 200) {
                continue;
            }
            ok++;
            if (feedback) {
                String id = res.headers().firstValue(InferenceServer.REQUEST_ID_HEADER).orElseThrow();
                HttpResponse<String> fb = post(port, "/v1/models/credit:feedback", "{\"request_id\": \"" + id + "\", \"label\": \""
                        + RolloutBundles.truth(x1, random.nextGaussian()) + "\"}");
                assertThat(fb.statusCode()).as(fb.body()).isBetween(200, 299);
            }
        }
        return ok;
    }

    /** Request ids of {@code n} requests answered 200. */
    private List<String> sendIds(int port, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> res;
            try {
                res = post(port, "/v1/models/credit:predict", "{\"instances\": [{\"x1\": 0.5, \"x2\": 0.1}]}");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(res.statusCode()).isEqualTo(200);
            ids.add(res.headers().firstValue(InferenceServer.REQUEST_ID_HEADER).orElseThrow());
        }
        return ids;
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String requestId(ConsumerRecord<byte[], byte[]> r) {
        JsonNode node = json(new String(r.value(), StandardCharsets.UTF_8));
        return node.path(LogFormat.REQUEST_ID).asText();
    }

    /** Every record of {@code topic}, partition by partition in offset order. */
    private List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (consumer.position(tp) < end.get(tp)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                        if (r.offset() < end.get(tp)) {
                            out.add(r);
                        }
                    }
                }
            }
            return out;
        }
    }

    private static void awaitWritten(PredictionLog log, long records) throws Exception {
        await(() -> log.written() >= records, records + " records written");
    }

    /** Until the clock has moved past {@code t}, so that a window boundary falls between two batches. */
    private static void awaitClockPast(Instant t) throws Exception {
        await(() -> Instant.now().isAfter(t.plusMillis(5)), "the clock past " + t);
    }

    private static void await(BooleanSupplier condition, String what) throws Exception {
        assertThat(Poll.until(condition::getAsBoolean, done -> done, Duration.ofSeconds(60))).as(what).isTrue();
    }

    /** Writes every line to two sinks: the file sink and the Kafka sink see the very same bytes. */
    private static final class TeeSink implements LogSink {
        private final LogSink first;
        private final LogSink second;

        TeeSink(LogSink first, LogSink second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void append(String model, String kind, byte[] line) throws IOException {
            append(model, kind, line, 0, line.length);
        }

        @Override
        public void append(String model, String kind, byte[] buf, int off, int len) throws IOException {
            first.append(model, kind, buf, off, len);
            second.append(model, kind, buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                first.close();
            } finally {
                second.close();
            }
        }
    }
}
