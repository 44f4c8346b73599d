package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.log.LogSink;
import dev.kiln.runtime.log.RotatingFileSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log on its own: rotation, close draining, a full queue and a failing disk. */
class PredictionLogTest {
    @TempDir
    Path dir;

    /** Polls {@code done} every 20 ms for at most {@code seconds}; true once it holds. */
    static boolean await(double seconds, BooleanSupplier done) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return done.getAsBoolean();
    }

    /** The files of one model and kind, in name (creation) order. */
    static List<Path> files(Path dir, String model, String kind) {
        Path folder = dir.resolve(model);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().startsWith(kind + "-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line of one model and kind, parsed (a split or partial line fails the parse). */
    static List<JsonNode> records(Path dir, String model, String kind) {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : files(dir, model, kind)) {
            try {
                String text = Files.readString(f);
                assertThat(text).as(f.toString()).endsWith("\n");
                for (String line : text.split("\n")) {
                    out.add(InferenceServer.MAPPER.readTree(line));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static Map<String, Object> record(int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", "r-" + i);
        m.put("padding", "x".repeat(100));
        return m;
    }

    @Test
    void rotatesBySizeAndNeverSplitsALine() {
        PredictionLog log = new PredictionLog(dir, 1000, 400);
        for (int i = 0; i < 30; i++) {
            assertThat(log.offer("m", PredictionLog.PREDICTIONS, record(i))).isTrue();
        }
        log.close();
        List<Path> files = files(dir, "m", PredictionLog.PREDICTIONS);
        assertThat(files.size()).isGreaterThan(5);
        for (Path f : files) {
            assertThat(f.getFileName().toString()).matches("predictions-\\d{8}-\\d{6}-\\d{6}\\.jsonl");
            assertThat(f.toFile().length()).isLessThanOrEqualTo(400);
        }
        List<JsonNode> recs = records(dir, "m", PredictionLog.PREDICTIONS);
        assertThat(recs).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(recs.get(i).get("request_id").asText()).isEqualTo("r-" + i);
        }
        assertThat(log.written()).isEqualTo(30);
        assertThat(log.enqueued()).isEqualTo(30);
        assertThat(log.dropped()).isZero();
    }

    /** Retention is the log's option: old files go when the log opens a file (time from the injected clock). */
    @Test
    void theOptionsRetentionRemovesOldFiles() throws IOException {
        java.time.Instant now = java.time.Instant.parse("2026-12-01T00:00:00Z");
        Path old = Files.createDirectories(dir.resolve("m")).resolve(dev.kiln.runtime.log.LogFormat.fileName(
                PredictionLog.PREDICTIONS, now.minus(Duration.ofDays(3)), 1));
        Files.writeString(old, "{}\n");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now.minus(Duration.ofDays(2))));
        PredictionLog.Options options = PredictionLog.Options.defaults().withMaxAge(Duration.ofDays(1)).withMaxTotalBytes(1 << 20)
                .withClock(java.time.Clock.fixed(now, java.time.ZoneOffset.UTC));
        assertThat(options.retention()).isEqualTo(new dev.kiln.runtime.log.LogRetention(1 << 20, Duration.ofDays(1)));
        assertThat(PredictionLog.Options.defaults().retention()).isEqualTo(dev.kiln.runtime.log.LogRetention.DEFAULT);
        try (PredictionLog log = new PredictionLog(dir, options)) {
            assertThat(log.offer("m", PredictionLog.PREDICTIONS, record(0))).isTrue();
        }
        assertThat(old).doesNotExist();
        assertThat(records(dir, "m", PredictionLog.PREDICTIONS)).hasSize(1);
    }

    @Test
    void closeDrainsTheQueue() {
        Gated gated = new Gated(new RotatingFileSink(dir, 1 << 20));
        PredictionLog log = new PredictionLog(dir, 1000, gated, Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            assertThat(log.offer("m", PredictionLog.PREDICTIONS, record(i))).isTrue();
        }
        assertThat(log.written()).isLessThan(100);  // the disk is held: nothing can be flushed yet
        gated.open();
        log.close();
        assertThat(log.written()).isEqualTo(100);
        assertThat(log.queueSize()).isZero();
        assertThat(records(dir, "m", PredictionLog.PREDICTIONS)).hasSize(100);
        assertThat(log.offer("m", PredictionLog.PREDICTIONS, record(100))).as("closed").isFalse();
    }

    @Test
    void closeGivesUpAfterItsTimeoutAndCountsTheRestDropped() {
        PredictionLog log = new PredictionLog(dir, 1000, new Slow(new RotatingFileSink(dir, 1 << 20), 50),
                Duration.ofMillis(200));
        for (int i = 0; i < 200; i++) {
            log.offer("m", PredictionLog.PREDICTIONS, record(i));
        }
        long start = System.nanoTime();
        log.close();
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
        assertThat(log.written() + log.dropped() + log.failed()).isEqualTo(200);
        assertThat(log.dropped()).isPositive();
    }

    @Test
    void aFullQueueDropsWithoutBlocking() {
        Gated gated = new Gated(new RotatingFileSink(dir, 1 << 20));
        PredictionLog log = new PredictionLog(dir, 4, gated, Duration.ofSeconds(10));
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            log.offer("m", PredictionLog.PREDICTIONS, record(i));
        }
        assertThat((System.nanoTime() - start) / 1e6).as("ms to offer 50").isLessThan(500);
        // While the disk is held the writer keeps the few records it took, the queue holds 4: the rest are dropped.
        assertThat(log.dropped()).isGreaterThanOrEqualTo(40);
        assertThat(log.enqueued() + log.dropped()).isEqualTo(50);
        gated.open();
        log.close();
        assertThat(log.written()).isEqualTo(log.enqueued());
    }

    @Test
    void writeFailuresAreCountedAndTheLogRecovers() {
        Flaky flaky = new Flaky(new RotatingFileSink(dir, 1 << 20));
        PredictionLog log = new PredictionLog(dir, 100, flaky, Duration.ofSeconds(10));
        flaky.broken = true;
        for (int i = 0; i < 5; i++) {
            log.offer("m", PredictionLog.PREDICTIONS, record(i));
        }
        assertThat(await(10, () -> log.failed() == 5)).as("failed: " + log.failed()).isTrue();
        assertThat(log.lastError().orElseThrow()).contains("No space left on device");
        flaky.broken = false;
        log.offer("m", PredictionLog.PREDICTIONS, record(5));
        assertThat(await(10, () -> log.written() == 1)).isTrue();
        log.close();
        List<JsonNode> recs = records(dir, "m", PredictionLog.PREDICTIONS);
        assertThat(recs).hasSize(1);
        assertThat(recs.get(0).get("request_id").asText()).isEqualTo("r-5");
    }

    /** A sink that loses records after taking them (a Kafka send that fails later) reports them: counted as failed. */
    @Test
    void recordsASinkLosesAfterTakingThemAreCountedAsFailed() {
        try (PredictionLog log = new PredictionLog(dir, PredictionLog.Options.defaults(), new RotatingFileSink(dir, 1 << 20))) {
            log.offer("m", PredictionLog.PREDICTIONS, record(0));
            assertThat(await(10, () -> log.written() == 1)).isTrue();
            log.countLost(3, new IOException("delivery timed out"));
            assertThat(log.failed()).isEqualTo(3);
            assertThat(log.written()).isEqualTo(1);
            assertThat(log.lastError().orElseThrow()).contains("delivery timed out");
        }
    }

    /** Sleeps before each append: a slow disk. */
    static final class Slow implements LogSink {
        final LogSink inner;
        final long sleepMs;

        Slow(LogSink inner, long sleepMs) {
            this.inner = inner;
            this.sleepMs = sleepMs;
        }

        @Override
        public void append(String model, String kind, byte[] line) throws IOException {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            inner.append(model, kind, line);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void reset() {
            inner.reset();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    /** Holds every append until {@link #open()}: a disk that does not answer yet (no timing involved). */
    static final class Gated implements LogSink {
        final LogSink inner;
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

        Gated(LogSink inner) {
            this.inner = inner;
        }

        void open() {
            gate.countDown();
        }

        @Override
        public void append(String model, String kind, byte[] line) throws IOException {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            inner.append(model, kind, line);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void reset() {
            inner.reset();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    /** Fails every append while broken: a full disk. */
    static final class Flaky implements LogSink {
        final LogSink inner;
        volatile boolean broken;

        Flaky(LogSink inner) {
            this.inner = inner;
        }

        @Override
        public void append(String model, String kind, byte[] line) throws IOException {
            if (broken) {
                throw new IOException("No space left on device");
            }
            inner.append(model, kind, line);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void reset() {
            inner.reset();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
