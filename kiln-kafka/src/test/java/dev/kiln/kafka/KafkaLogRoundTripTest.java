package dev.kiln.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.monitor.logs.LogLines;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink and the reader against a real KRaft broker: lines go out and come back byte for byte, by model and kind. */
@Tag("slow")
class KafkaLogRoundTripTest {
    @TempDir
    static Path dir;
    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(dir.resolve("broker"));
        broker.createTopic("logs", 3);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaUri uri(String topic, String settings) {
        return KafkaUri.parse("kafka://" + broker.bootstrap() + "/" + topic + settings, "--log-sink");
    }

    private static List<String> read(String model, String kind, LogWindow window) {
        List<String> lines = new ArrayList<>();
        new KafkaLogLines(uri("logs", ""), "--log-source", model).read(kind, window, (unit, n, line) -> lines.add(line));
        return lines;
    }

    @Test
    void linesComeBackByModelAndKindInTheOrderWritten() throws Exception {
        Instant before = Instant.now();
        Map<String, List<String>> written = Map.of("a/predictions", new ArrayList<>(), "a/feedback", new ArrayList<>(),
                "b/predictions", new ArrayList<>(), "b/shadow", new ArrayList<>());
        try (KafkaLogSink sink = KafkaLogSink.open(uri("logs", ""), "--log-sink", Duration.ofSeconds(30))) {
            for (int i = 0; i < 300; i++) {
                for (String key : written.keySet()) {
                    String line = "{\"n\":" + i + ",\"k\":\"" + key + "\",\"text\":\"é\\u2028\"}";
                    written.get(key).add(line);
                    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                    byte[] padded = new byte[bytes.length + 6];
                    System.arraycopy(bytes, 0, padded, 3, bytes.length);
                    String[] mk = key.split("/");
                    sink.append(mk[0], mk[1], padded, 3, bytes.length);
                }
            }
            sink.flush();
        } // close: sends what is buffered
        for (String key : written.keySet()) {
            String[] mk = key.split("/");
            assertThat(read(mk[0], mk[1], LogWindow.ALL)).as(key).isEqualTo(written.get(key));
        }
        assertThat(read("a", "shadow", LogWindow.ALL)).isEmpty();
        assertThat(read("c", "predictions", LogWindow.ALL)).isEmpty();
        // A window that starts after everything was sent (beyond the slack) reads nothing; one around it all of it.
        assertThat(read("a", "predictions", new LogWindow(Instant.now().plus(KafkaLogLines.SLACK).plusSeconds(5), null)))
                .isEmpty();
        assertThat(read("a", "predictions", new LogWindow(before.minusSeconds(1), Instant.now().plusSeconds(1))))
                .isEqualTo(written.get("a/predictions"));
        assertThat(new KafkaLogLines(uri("logs", ""), "--log-source", "a").exists()).isTrue();
    }

    @Test
    void aMissingTopicHasNoLog() {
        KafkaLogLines lines = new KafkaLogLines(uri("nothing-here", ""), "--log-source", "a");
        assertThat(lines.exists()).isFalse();
        assertThat(lines.read("predictions", LogWindow.ALL, (u, n, l) -> { })).isZero();
    }

    @Test
    void anUnreachableBrokerIsUnavailableNamingTheAddressAndTheOption() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        LogLines lines = new KafkaLogLines(KafkaUri.parse("kafka://127.0.0.1:" + closed + "/logs?default.api.timeout.ms=1500",
                "--log-source"), "--log-source", "a");
        assertThatThrownBy(lines::exists).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("127.0.0.1:" + closed).contains("--log-source");
        });
    }
}
