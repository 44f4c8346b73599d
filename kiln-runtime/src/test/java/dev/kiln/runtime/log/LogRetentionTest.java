package dev.kiln.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by age and by total size, oldest first, never a file being written; time from an injected clock. */
class LogRetentionTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** A closed log file of {@code bytes} bytes last written at {@code modified}. */
    private Path oldFile(String model, String kind, Instant opened, int seq, int bytes, Instant modified) throws IOException {
        Path f = Files.createDirectories(dir.resolve(model)).resolve(LogFormat.fileName(kind, opened, seq));
        Files.writeString(f, "x".repeat(bytes - 1) + "\n");
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    private List<Path> logFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> LogFile.parse(p).isPresent()).sorted().forEach(out::add);
        }
        return out;
    }

    private static byte[] line(int i, int bytes) {
        String head = "{\"request_id\":\"r-" + i + "\",\"pad\":\"";
        return (head + "x".repeat(bytes - head.length() - 3) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void filesPastTheAgeAreRemovedWhenANewFileOpens() throws IOException {
        Path expired = oldFile("credit", LogFormat.PREDICTIONS, NOW.minus(Duration.ofDays(45)), 1, 100, NOW.minus(Duration.ofDays(31)));
        Path otherModel = oldFile("price", LogFormat.FEEDBACK, NOW.minus(Duration.ofDays(45)), 2, 100, NOW.minus(Duration.ofDays(40)));
        Path recent = oldFile("credit", LogFormat.PREDICTIONS, NOW.minus(Duration.ofDays(45)), 3, 100, NOW.minus(Duration.ofDays(29)));
        Path notALog = Files.writeString(dir.resolve("credit").resolve("notes.txt"), "kept");
        Files.setLastModifiedTime(notALog, FileTime.from(NOW.minus(Duration.ofDays(400))));
        TestClock clock = new TestClock(NOW);
        try (RotatingFileSink sink = new RotatingFileSink(dir, 1 << 20, LogRetention.DEFAULT, clock)) {
            sink.append("credit", LogFormat.PREDICTIONS, line(0, 100));
            assertThat(expired).doesNotExist();
            assertThat(otherModel).doesNotExist();
            assertThat(recent).exists();
            assertThat(notALog).exists();
            // The new file is named by the clock.
            assertThat(dir.resolve("credit").resolve(LogFormat.fileName(LogFormat.PREDICTIONS, NOW, 1))).exists();
        }
    }

    @Test
    void aQuietLogStillAgesOnFlushButNeverLosesTheFileBeingWritten() throws IOException {
        TestClock clock = new TestClock(NOW);
        try (RotatingFileSink sink = new RotatingFileSink(dir, 1 << 20, new LogRetention(0, Duration.ofDays(30)), clock)) {
            sink.append("credit", LogFormat.PREDICTIONS, line(0, 100));
            sink.flush();
            Path open = logFiles().get(0);
            Path closed = oldFile("credit", LogFormat.FEEDBACK, NOW, 9, 100, NOW);
            Files.setLastModifiedTime(open, FileTime.from(NOW));
            clock.advance(Duration.ofDays(31));
            sink.flush();  // a minute and more since the last sweep: retention runs
            assertThat(closed).doesNotExist();
            assertThat(open).as("the file being written").exists();
            sink.append("credit", LogFormat.PREDICTIONS, line(1, 100));
            sink.flush();
            assertThat(Files.readAllLines(open)).hasSize(2);
        }
    }

    @Test
    void theTotalIsCappedOldestFirst() throws IOException {
        TestClock clock = new TestClock(NOW);
        try (RotatingFileSink sink = new RotatingFileSink(dir, 300, new LogRetention(1000, null), clock)) {
            for (int i = 0; i < 30; i++) {
                sink.append("credit", LogFormat.PREDICTIONS, line(i, 100));
                sink.flush();
                clock.advance(Duration.ofSeconds(1));
                for (Path p : logFiles()) {  // last modification as the clock has it, so that age orders the files
                    if (Files.getLastModifiedTime(p).toInstant().isAfter(clock.instant())) {
                        Files.setLastModifiedTime(p, FileTime.from(clock.instant()));
                    }
                }
                long total = 0;
                for (Path p : logFiles()) {
                    total += Files.size(p);
                }
                assertThat(total).as("after record " + i).isLessThanOrEqualTo(1000 + 300);
            }
        }
        List<String> kept = new ArrayList<>();
        for (LogFile f : LogFile.list(dir.resolve("credit"), LogFormat.PREDICTIONS)) {
            kept.addAll(Files.readAllLines(f.path()));
        }
        // What is left is the newest records, in order, without a gap.
        assertThat(kept.size()).isBetween(9, 13);
        for (int k = 0; k < kept.size(); k++) {
            assertThat(kept.get(k)).startsWith("{\"request_id\":\"r-" + (30 - kept.size() + k) + "\"");
        }
    }

    @Test
    void openFilesAreCountedButNeverRemoved() throws IOException {
        Path a = oldFile("a", LogFormat.PREDICTIONS, NOW, 1, 500, NOW.minus(Duration.ofDays(1)));
        Path b = oldFile("b", LogFormat.PREDICTIONS, NOW, 2, 500, NOW);
        LogRetention.Swept swept = new LogRetention(100, null).sweep(dir, NOW, Set.of(a, b));
        assertThat(swept.files()).isZero();
        assertThat(swept.bytesLeft()).isEqualTo(1000);
        assertThat(a).exists();
        swept = new LogRetention(600, null).sweep(dir, NOW, Set.of(b));
        assertThat(swept.files()).isEqualTo(1);
        assertThat(swept.bytes()).isEqualTo(500);
        assertThat(a).doesNotExist();
        assertThat(LogRetention.NONE.sweep(dir, NOW.plus(Duration.ofDays(9999)), Set.of())).isEqualTo(new LogRetention.Swept(0, 0, 0));
        assertThat(b).exists();
    }

    @Test
    void sizesAndAgesAreParsedAsTheCommandLineGivesThem() {
        assertThat(LogRetention.parseBytes("1048576", "--log-max-bytes")).isEqualTo(1 << 20);
        assertThat(LogRetention.parseBytes("10g", "--log-max-bytes")).isEqualTo(10L << 30);
        assertThat(LogRetention.parseBytes("512MiB", "--log-max-bytes")).isEqualTo(512L << 20);
        assertThat(LogRetention.parseBytes("64kb", "--log-max-bytes")).isEqualTo(64L << 10);
        assertThat(LogRetention.parseBytes("0", "--log-max-bytes")).isZero();
        assertThat(LogRetention.parseAge("30d", "--log-max-age")).isEqualTo(Duration.ofDays(30));
        assertThat(LogRetention.parseAge("12h", "--log-max-age")).isEqualTo(Duration.ofHours(12));
        assertThat(LogRetention.parseAge("0", "--log-max-age")).isNull();
        for (String bad : List.of("", "ten", "-1", "1.5g", "10x", "99999999999t")) {
            assertThatThrownBy(() -> LogRetention.parseBytes(bad, "--log-max-bytes")).isInstanceOf(KilnException.class)
                    .hasMessageContaining("--log-max-bytes")
                    .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        for (String bad : List.of("", "30", "1w", "-3d")) {
            assertThatThrownBy(() -> LogRetention.parseAge(bad, "--log-max-age")).isInstanceOf(KilnException.class)
                    .hasMessageContaining("--log-max-age");
        }
        assertThat(LogRetention.DEFAULT).isEqualTo(new LogRetention(10L << 30, Duration.ofDays(30)));
    }
}
