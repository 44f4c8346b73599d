package dev.kiln.kafka;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.log.LogSink;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The prediction log's lines sent to a Kafka topic ({@link LogRecords} has the layout), in place of the files. Called
 * by the log's one writer thread, which it never holds for long: a send only hands the record to the producer's
 * bounded buffer ({@code buffer.memory} 16 MiB), and waits at most {@code max.block.ms} (100 ms) for the topic's
 * metadata or for room; while that wait keeps running out (Kafka unreachable, buffer full) records fail at once for
 * {@link #FAIL_FAST_FOR}, then one is tried again. The producer reconnects by itself (every second at most).
 *
 * <p>Delivery: at most once while Kafka is down. A record that cannot be sent within {@code delivery.timeout.ms}
 * (30 s) is lost and reported to the {@link LossListener} (the log counts it as failed); acks from all in-sync
 * replicas ({@code acks=all}) and an idempotent producer, so that the producer's own retries neither duplicate nor
 * reorder a model's records. Every setting can be overridden in the URI's query.
 */
public final class KafkaLogSink implements LogSink {
    /** After a send found Kafka unreachable (or the buffer full), the next records fail at once for this long. */
    public static final Duration FAIL_FAST_FOR = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger("dev.kiln.kafka");

    /** Records lost after {@code append} took them: {@code records} with why. Called on the producer's thread. */
    @FunctionalInterface
    public interface LossListener {
        void lost(long records, Exception cause);
    }

    private final KafkaUri uri;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, byte[]> keys = new HashMap<>();
    private final Map<String, Header[]> kinds = new HashMap<>();
    private final LongAdder lost = new LongAdder();
    private final AtomicReference<LossListener> listener = new AtomicReference<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Callback sent = this::sent;
    /** Writer thread only: set while it is inside {@code send}, when a callback reports a wait that ran out. */
    private boolean inSend;
    /** The log's writer thread (set on each append): a callback on it came from inside {@code send}. */
    private volatile Thread writerThread;
    private boolean sendTimedOut;
    private long failFastUntil;

    private KafkaLogSink(KafkaUri uri, KafkaProducer<byte[], byte[]> producer) {
        this.uri = uri;
        this.producer = producer;
    }

    /**
     * A sink to {@code uri} (given as {@code option}). It waits up to {@code warmUp} for the topic's metadata, so
     * that the first records do not wait for it; an unreachable Kafka does not stop a server: it is logged, and the
     * producer keeps trying in the background.
     */
    public static KafkaLogSink open(KafkaUri uri, String option, Duration warmUp) {
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(producerSettings(uri), new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " " + uri.address() + ": " + rootMessage(e),
                    Map.of("option", option), e);
        }
        long deadline = System.nanoTime() + warmUp.toNanos();
        while (true) {
            try {
                producer.partitionsFor(uri.topic()); // waits at most max.block.ms
                break;
            } catch (KafkaException e) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.log(System.Logger.Level.WARNING, "prediction log: no metadata for " + uri.address() + " within "
                            + warmUp.toMillis() + " ms (" + rootMessage(e) + "); records are dropped until Kafka answers");
                    break;
                }
            }
        }
        return new KafkaLogSink(uri, producer);
    }

    /** The producer's settings: Kiln's defaults (see the class comment), then the URI's. */
    static Map<String, Object> producerSettings(KafkaUri uri) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, uri.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kiln-prediction-log");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L << 20);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 100);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        p.putAll(uri.settings());
        return p;
    }

    /** Where the records go to, for messages. */
    public KafkaUri uri() {
        return uri;
    }

    /**
     * Reports records lost from now on to {@code l} (with those lost before it was set, at once): the prediction
     * log's {@code countLost}, which counts them as failed.
     */
    public void onLoss(LossListener l) {
        listener.set(l);
        long before = lost.sum();
        if (before > 0) {
            l.lost(before, new IOException("records lost before the listener was set"));
        }
    }

    /** Records lost after {@code append} took them. */
    public long lost() {
        return lost.sum();
    }

    @Override
    public void append(String model, String kind, byte[] line) throws IOException {
        append(model, kind, line, 0, line.length);
    }

    @Override
    public void append(String model, String kind, byte[] buf, int off, int len) throws IOException {
        Thread self = Thread.currentThread();
        if (writerThread != self) {
            writerThread = self;
        }
        if (failFastUntil != 0 && System.nanoTime() - failFastUntil < 0) {
            throw new IOException("Kafka at " + uri.bootstrap() + " did not take a record within max.block.ms; "
                    + "records are dropped until it does");
        }
        failFastUntil = 0;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(uri.topic(), null, null,
                keys.computeIfAbsent(model, LogRecords::utf8), Arrays.copyOfRange(buf, off, off + len),
                List.of(kinds.computeIfAbsent(kind, k -> new Header[] {new RecordHeader(LogRecords.KIND_HEADER, LogRecords.utf8(k))})));
        inSend = true;
        sendTimedOut = false;
        try {
            producer.send(record, sent);
        } catch (KafkaException e) {
            throw new IOException("cannot send to Kafka at " + uri.address() + ": " + rootMessage(e), e);
        } finally {
            inSend = false;
        }
        if (sendTimedOut) {
            failFastUntil = System.nanoTime() + FAIL_FAST_FOR.toNanos();
        }
    }

    private void sent(RecordMetadata metadata, Exception e) {
        if (e == null) {
            if (failing.get() && failing.compareAndSet(true, false)) {
                LOG.log(System.Logger.Level.INFO, "prediction log: Kafka at " + uri.address() + " takes records again");
            }
            return;
        }
        if (Thread.currentThread() == writerThread && inSend && e instanceof TimeoutException) {
            sendTimedOut = true;
        }
        lost.increment();
        LossListener l = listener.get();
        if (l != null) {
            l.lost(1, e);
        }
        if (failing.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.ERROR, "prediction log: cannot send to Kafka at " + uri.address()
                    + " (records are lost until it can): " + rootMessage(e));
        }
    }

    @Override
    public void flush() {
        // Nothing to do: the producer sends in the background within linger.ms, and waiting for acks here would hold
        // the writer for as long as Kafka is down.
    }

    @Override
    public void close() {
        // Bounded: what is not sent by then is lost, and reported as such.
        producer.close(Duration.ofSeconds(5));
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
