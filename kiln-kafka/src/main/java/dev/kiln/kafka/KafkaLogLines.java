package dev.kiln.kafka;

import dev.kiln.monitor.logs.LogLines;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One model's log lines read back from a Kafka topic ({@link LogRecords} has the layout), for kiln-monitor's
 * {@link dev.kiln.monitor.logs.PredictionLogReader}: the records keyed by the model and headed with the kind asked
 * for, partition by partition, in offset order (a model's records are all in one partition unless the topic's
 * partitions were added to since).
 *
 * <p>A window is read without a consumer group (partitions assigned, nothing committed): from the first offset
 * whose timestamp is at or after {@code since} less {@link #SLACK} ({@code offsetsForTimes}), to the end offsets
 * taken when the read starts, or sooner, the first offset at or after {@code until} plus {@link #SLACK}. A record's
 * timestamp is when the server's writer sent it, a little after the request it logs, so the slack keeps every record
 * whose own {@code time} is in the window; the reader keeps only those. Kafka not answering within
 * {@code default.api.timeout.ms} (15 s, settable in the URI) is an UNAVAILABLE error naming the address.
 */
public final class KafkaLogLines implements LogLines {
    /** How far a record's timestamp may trail its {@code time} (the wait in the server's queue) and still be read. */
    public static final Duration SLACK = Duration.ofMinutes(1);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaUri uri;
    private final String option;
    private final String model;
    private final byte[] key;
    /** How long one call to Kafka may take: the consumer's {@code default.api.timeout.ms}. */
    private final Duration wait;

    /** The lines of {@code model} in the topic of {@code uri}, given as {@code option} (named in errors). */
    public KafkaLogLines(KafkaUri uri, String option, String model) {
        this.uri = uri;
        this.option = option;
        this.model = model;
        this.key = LogRecords.utf8(model);
        Object ms = consumerSettings(uri).get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        try {
            this.wait = Duration.ofMillis(Long.parseLong(String.valueOf(ms)));
        } catch (NumberFormatException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + ": default.api.timeout.ms '" + ms
                    + "' is not a number of milliseconds", Map.of("option", option));
        }
    }

    /** The consumer's settings: no group, nothing committed, no topic created; then the URI's. */
    static Map<String, Object> consumerSettings(KafkaUri uri) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, uri.bootstrap());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiln-log-reader");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        c.putAll(uri.settings());
        if (uri.settings().containsKey(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)
                && !uri.settings().containsKey(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG)) {
            // Kafka wants a request's timeout no longer than a call's: a shorter wait shortens both.
            try {
                long api = Long.parseLong(uri.settings().get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG));
                c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(10_000, api)));
            } catch (NumberFormatException e) {
                // reported by the constructor
            }
        }
        return c;
    }

    @Override
    public boolean exists() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return !partitions(consumer).isEmpty();
        }
    }

    @Override
    public String where() {
        return uri.address() + " (key " + model + ")";
    }

    @Override
    public int read(String kind, LogWindow window, Sink sink) {
        byte[] kindBytes = LogRecords.utf8(kind);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            if (partitions.isEmpty()) {
                return 0;
            }
            Map<TopicPartition, Long> end = call(() -> consumer.endOffsets(partitions, wait));
            Map<TopicPartition, Long> start = window.since() == null ? call(() -> consumer.beginningOffsets(partitions, wait))
                    : offsets(consumer, partitions, window.since().minus(SLACK), end, wait);
            Map<TopicPartition, Long> stop = window.until() == null ? end
                    : offsets(consumer, partitions, window.until().plus(SLACK), end, wait);
            int read = 0;
            for (TopicPartition tp : partitions) {
                long from = start.get(tp);
                long to = Math.min(stop.get(tp), end.get(tp));
                if (from >= to) {
                    continue;
                }
                read++;
                readRange(consumer, tp, from, to, kindBytes, sink, wait);
            }
            return read;
        }
    }

    /** The first offset at or after {@code time} of each partition, or its end where there is none. */
    private Map<TopicPartition, Long> offsets(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                              Instant time, Map<TopicPartition, Long> end, Duration wait) {
        Map<TopicPartition, Long> query = new HashMap<>();
        long ms = Math.max(0, time.toEpochMilli());
        partitions.forEach(tp -> query.put(tp, ms));
        Map<TopicPartition, OffsetAndTimestamp> found = call(() -> consumer.offsetsForTimes(query, wait));
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? end.get(tp) : o.offset());
        }
        return out;
    }

    private void readRange(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long from, long to, byte[] kindBytes,
                           Sink sink, Duration wait) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        String unit = tp.topic() + "-" + tp.partition();
        long position = from;
        long quietSince = System.nanoTime();
        while (position < to) {
            List<ConsumerRecord<byte[], byte[]>> records = call(() -> consumer.poll(POLL)).records(tp);
            if (records.isEmpty()) {
                long next = call(() -> consumer.position(tp, wait));
                if (next > position) {
                    position = next;  // past compacted or transaction-marker offsets
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > wait.toNanos()) {
                    throw unavailable("no records from partition " + tp.partition() + " at offset " + position
                            + " within " + wait.toMillis() + " ms", null);
                }
                continue;
            }
            quietSince = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() >= to) {
                    return;
                }
                position = r.offset() + 1;
                if (r.value() == null || !Arrays.equals(key, r.key())) {
                    continue;
                }
                Header h = r.headers().lastHeader(LogRecords.KIND_HEADER);
                if (h == null || !Arrays.equals(kindBytes, h.value())) {
                    continue;
                }
                String line = line(r.value());
                if (!line.isBlank()) {
                    sink.line(unit, r.offset(), line);
                }
            }
        }
    }

    /** A record's value as the line it holds, without its newline. */
    static String line(byte[] value) {
        int len = value.length;
        if (len > 0 && value[len - 1] == '\n') {
            len--;
        }
        if (len > 0 && value[len - 1] == '\r') {
            len--;
        }
        return new String(value, 0, len, StandardCharsets.UTF_8);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        try {
            return new KafkaConsumer<>(consumerSettings(uri), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " " + uri.address() + ": "
                    + KafkaLogSink.rootMessage(e), Map.of("option", option), e);
        }
    }

    /** The topic's partitions in order; none when there is no such topic. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = call(() -> consumer.partitionsFor(uri.topic(), wait));
        List<TopicPartition> out = new ArrayList<>();
        if (infos != null) {
            for (PartitionInfo p : infos) {
                out.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        out.sort(Comparator.comparingInt(TopicPartition::partition));
        return out;
    }

    private interface Call<T> {
        T run();
    }

    /** Runs one consumer call, a timeout becoming an UNAVAILABLE error that names the address and the option. */
    private <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (TimeoutException e) {
            throw unavailable("no answer within " + wait.toMillis() + " ms", e);
        } catch (KafkaException e) {
            throw unavailable(KafkaLogSink.rootMessage(e), e);
        }
    }

    private KilnException unavailable(String why, Exception cause) {
        return new KilnException(ErrorCode.UNAVAILABLE, "cannot read the prediction log from Kafka at " + uri.bootstrap()
                + " (" + option + " " + uri.address() + "): " + why, Map.of("option", option, "brokers", uri.bootstrap()), cause);
    }
}
