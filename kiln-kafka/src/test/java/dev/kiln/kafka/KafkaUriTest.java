package dev.kiln.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaUriTest {
    @Test
    void brokersTopicAndSettings() {
        KafkaUri uri = KafkaUri.parse("kafka://Broker-1:9092,10.0.0.2:19092,[::1]:9093/kiln.logs_v1?linger.ms=20&sasl.jaas.config=a%3Db",
                "--log-sink");
        assertThat(uri.brokers()).containsExactly("broker-1:9092", "10.0.0.2:19092", "[::1]:9093");
        assertThat(uri.bootstrap()).isEqualTo("broker-1:9092,10.0.0.2:19092,[::1]:9093");
        assertThat(uri.topic()).isEqualTo("kiln.logs_v1");
        assertThat(uri.settings()).containsExactly(Map.entry("linger.ms", "20"), Map.entry("sasl.jaas.config", "a=b"));
        assertThat(uri.address()).isEqualTo("kafka://broker-1:9092,10.0.0.2:19092,[::1]:9093/kiln.logs_v1");
        assertThat(KafkaUri.isKafka("KAFKA://h:1/t")).isTrue();
        assertThat(KafkaUri.isKafka("/var/log")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka://host/topic", "kafka://host:0/topic", "kafka://host:65536/topic", "kafka://host:x/t",
            "kafka://:9092/topic", "kafka://host:9092", "kafka://host:9092/", "kafka://host:9092/bad topic",
            "kafka://host:9092/..", "kafka://host:9092,/topic", "kafka://h:1/t?bootstrap.servers=x:1", "kafka://h:1/t?=x",
            "kafka://h:1/t?Linger=1", "file:///tmp/logs", "kafka:/h:1/t", ""})
    void aMalformedUriNamesTheOption(String text) {
        assertThatThrownBy(() -> KafkaUri.parse(text, "--log-source"))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("--log-source '" + text + "' is not a Kafka URI: ")
                            .contains("kafka://HOST:PORT[,HOST:PORT]/TOPIC");
                });
    }

    @Property(tries = 200)
    void whatIsWrittenIsReadBack(@ForAll @Size(min = 1, max = 3) List<@AlphaChars @NumericChars @StringLength(min = 1, max = 12) String> hosts,
                                 @ForAll @IntRange(min = 1, max = 65535) int port,
                                 @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 40) String topic) {
        List<String> brokers = hosts.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT) + ":" + port).toList();
        KafkaUri uri = KafkaUri.parse("kafka://" + String.join(",", brokers) + "/" + topic, "--log-sink");
        assertThat(uri.brokers()).isEqualTo(brokers);
        assertThat(uri.topic()).isEqualTo(topic);
        assertThat(KafkaUri.parse(uri.address(), "--log-sink")).isEqualTo(uri);
    }
}
