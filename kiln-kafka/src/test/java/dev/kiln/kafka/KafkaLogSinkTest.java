package dev.kiln.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sink without a broker: what it cannot send is counted, and it stops waiting on Kafka for each record. */
class KafkaLogSinkTest {
    @Test
    void withKafkaUnreachableRecordsAreCountedAsLostAndTheNextFailAtOnce() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        KafkaUri uri = KafkaUri.parse("kafka://127.0.0.1:" + closed + "/logs", "--log-sink");
        AtomicLong reported = new AtomicLong();
        try (KafkaLogSink sink = KafkaLogSink.open(uri, "--log-sink", Duration.ofMillis(200))) {
            sink.onLoss((records, cause) -> reported.addAndGet(records));
            byte[] line = "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8);
            sink.append("m", "predictions", line); // waits max.block.ms for metadata, then the record is lost
            assertThat(sink.lost()).isEqualTo(1);
            assertThat(reported.get()).isEqualTo(1);
            assertThatThrownBy(() -> sink.append("m", "predictions", line)) // within FAIL_FAST_FOR: no wait at all
                    .isInstanceOf(IOException.class).hasMessageContaining("127.0.0.1:" + closed);
            sink.flush(); // never waits on Kafka
        }
    }

    @Test
    void aRecordsValueIsTheLineWithoutItsNewline() {
        assertThat(KafkaLogLines.line("{\"a\":\"é\"}\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"a\":\"é\"}");
        assertThat(KafkaLogLines.line("{}\r\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("{}");
        assertThat(KafkaLogLines.line("{}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{}");
        assertThat(KafkaLogLines.line(new byte[0])).isEmpty();
    }

    @Test
    void theUrisSettingsOverrideKilnsDefaults() {
        KafkaUri uri = KafkaUri.parse("kafka://h:1/t?acks=1&delivery.timeout.ms=5000", "--log-sink");
        assertThat(KafkaLogSink.producerSettings(uri)).containsEntry("acks", "1").containsEntry("delivery.timeout.ms", "5000")
                .containsEntry("enable.idempotence", true).containsEntry("max.block.ms", 100).containsEntry("bootstrap.servers", "h:1");
        assertThat(KafkaLogLines.consumerSettings(KafkaUri.parse("kafka://h:1/t?default.api.timeout.ms=1500", "--log-source")))
                .containsEntry("default.api.timeout.ms", "1500").containsEntry("request.timeout.ms", 1500)
                .containsEntry("enable.auto.commit", false).containsEntry("allow.auto.create.topics", false);
    }
}
