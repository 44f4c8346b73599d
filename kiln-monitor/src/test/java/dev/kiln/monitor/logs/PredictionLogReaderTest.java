package dev.kiln.monitor.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionLogReaderTest {
    private static final int EVERY = 2048;
    @TempDir
    Path logs;

    @Test
    void readsPredictionsAcrossRotatedFilesInOrderAndKeepsTheirFields() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-100000", 2, List.of(
                LogFiles.prediction("r3", "2026-11-01T10:00:05Z", "2", 0, "{\"age\":40,\"purpose\":\"car\"}", "good", 0.2)));
        LogFiles.write(logs, "credit", "predictions", "20261101-100000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T10:00:01Z", "1", 0, "{\"age\":30,\"purpose\":null}", "bad", 0.7),
                LogFiles.prediction("r2", "2026-11-01T10:00:02Z", "1", 1, "{\"age\":31.5,\"purpose\":\"tv\"}", "good", 0.1)));
        List<PredictionRecord> seen = new ArrayList<>();
        PredictionLogReader.ReadStats stats = new PredictionLogReader(logs, "credit").predictions(LogWindow.ALL, seen::add);

        assertThat(seen).extracting(PredictionRecord::requestId).containsExactly("r1", "r2", "r3");
        PredictionRecord first = seen.get(0);
        assertThat(first.version()).isEqualTo("1");
        assertThat(first.time()).isEqualTo(Instant.parse("2026-11-01T10:00:01Z"));
        assertThat(first.inputs()).containsEntry("age", 30L).containsEntry("purpose", null);
        assertThat(first.prediction()).isEqualTo("bad");
        assertThat(first.probabilities()).containsEntry("bad", 0.7);
        assertThat(first.latencyMs()).isEqualTo(1.5);
        assertThat(seen.get(1).key()).isEqualTo("r2#1");
        assertThat(stats.files()).isEqualTo(2);
        assertThat(stats.records()).isEqualTo(3);
        assertThat(stats.malformed()).isZero();
    }

    /** A long log with broken and blank lines spread through it: records arrive in file order, line numbers exact. */
    @Test
    void aLongLogArrivesInOrderWithItsBrokenLinesNamed() throws Exception {
        int n = EVERY * 9 + 17;
        List<String> lines = new ArrayList<>();
        List<Long> broken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % EVERY == EVERY - 1) {
                lines.add("{\"request_id\":\"cut"); // a line cut short every 2048
                broken.add(i + 1L);
            } else if (i % 1000 == 500) {
                lines.add("   "); // blank: neither a record nor malformed
            } else {
                lines.add(LogFiles.prediction("r" + i, "2026-11-01T10:00:01Z", "1", 0, "{\"age\":" + i + "}", "good", 0.5));
            }
        }
        LogFiles.write(logs, "credit", "predictions", "20261101-100000", 1, lines);
        List<PredictionRecord> seen = new ArrayList<>();
        PredictionLogReader.ReadStats stats = new PredictionLogReader(logs, "credit").predictions(LogWindow.ALL, seen::add);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % EVERY != EVERY - 1 && i % 1000 != 500) {
                expected.add("r" + i);
            }
        }
        assertThat(seen).extracting(PredictionRecord::requestId).containsExactlyElementsOf(expected);
        assertThat(stats.malformed()).isEqualTo(broken.size());
        assertThat(stats.lines()).isEqualTo(expected.size() + broken.size());
        assertThat(stats.records()).isEqualTo(expected.size());
        for (int e = 0; e < stats.malformedExamples().size(); e++) {
            assertThat(stats.malformedExamples().get(e)).contains(":" + broken.get(e) + ": not valid JSON");
        }
    }

    @Test
    void aTruncatedOrBrokenLineIsSkippedCountedAndNamedWithItsFileAndLine() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-100000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T10:00:01Z", "1", 0, "{\"age\":30}", "bad", 0.7),
                "{\"request_id\":\"r2\",\"time\":\"2026-11-01T10:0",
                "{\"request_id\":\"r3\",\"time\":\"yesterday\",\"inputs\":{},\"outputs\":{\"prediction\":1}}",
                LogFiles.prediction("r4", "2026-11-01T10:00:04Z", "1", 0, "{\"age\":33}", "good", 0.3)));
        List<PredictionRecord> seen = new ArrayList<>();
        PredictionLogReader.ReadStats stats = new PredictionLogReader(logs, "credit").predictions(LogWindow.ALL, seen::add);

        assertThat(seen).extracting(PredictionRecord::requestId).containsExactly("r1", "r4");
        assertThat(stats.malformed()).isEqualTo(2);
        assertThat(stats.lines()).isEqualTo(4);
        assertThat(stats.malformedExamples()).hasSize(2);
        assertThat(stats.malformedExamples().get(0)).startsWith("predictions-20261101-100000-000001.jsonl:2: not valid JSON");
        assertThat(stats.malformedExamples().get(1)).contains(":3:").contains("yesterday");
    }

    @Test
    void theWindowKeepsRecordsFromSinceUpToButExcludingUntilAndSkipsFilesWhollyOutsideIt() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, List.of(
                LogFiles.prediction("old", "2026-11-01T00:00:01Z", "1", 0, "{}", "good", 0.1)));
        LogFiles.write(logs, "credit", "predictions", "20261101-120000", 2, List.of(
                LogFiles.prediction("a", "2026-11-02T00:00:00Z", "1", 0, "{}", "good", 0.1),
                LogFiles.prediction("b", "2026-11-02T12:00:00Z", "1", 0, "{}", "good", 0.1),
                LogFiles.prediction("c", "2026-11-03T00:00:00Z", "1", 0, "{}", "good", 0.1)));
        LogFiles.write(logs, "credit", "predictions", "20261104-000000", 3, List.of(
                LogFiles.prediction("late", "2026-11-04T00:00:01Z", "1", 0, "{}", "good", 0.1)));
        List<String> seen = new ArrayList<>();
        LogWindow window = new LogWindow(Instant.parse("2026-11-02T00:00:00Z"), Instant.parse("2026-11-03T00:00:00Z"));
        PredictionLogReader.ReadStats stats = new PredictionLogReader(logs, "credit")
                .predictions(window, p -> seen.add(p.requestId()));

        assertThat(seen).containsExactly("a", "b");
        assertThat(stats.files()).isEqualTo(1);
        assertThat(stats.outsideWindow()).isEqualTo(1);
    }

    @Test
    void feedbackCarriesALabelOrARewardAndDefaultsToRowZero() throws Exception {
        LogFiles.write(logs, "credit", "feedback", "20261101-000000", 1, List.of(
                LogFiles.label("r1", "2026-11-01T00:00:01Z", "bad"),
                LogFiles.reward("r2", "2026-11-01T00:00:02Z", 2.5),
                "{\"request_id\":\"r3\",\"time\":\"2026-11-01T00:00:03Z\",\"model\":\"credit\",\"label\":1.0,\"row\":2}"));
        List<FeedbackRecord> seen = new ArrayList<>();
        new PredictionLogReader(logs, "credit").feedback(LogWindow.ALL, seen::add);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0).label()).isEqualTo("bad");
        assertThat(seen.get(0).key()).isEqualTo("r1#0");
        assertThat(seen.get(1).reward()).isEqualTo(2.5);
        assertThat(seen.get(1).label()).isNull();
        assertThat(seen.get(2).label()).isEqualTo("1");
        assertThat(seen.get(2).key()).isEqualTo("r3#2");
    }

    @Test
    void aModelNameThatLeavesTheLogFolderIsRefused() {
        assertThatThrownBy(() -> new PredictionLogReader(logs, "../etc")).isInstanceOf(KilnException.class)
                .hasMessageContaining("not a model name");
        assertThat(new PredictionLogReader(logs, "missing").exists()).isFalse();
    }

    @Test
    void timesAndDurationsParseInTheFormsTheCliTakes() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        assertThat(LogWindow.parseTime("24h", now, "--since")).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(LogWindow.parseTime("2026-11-01", now, "--since")).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(LogWindow.parseTime("2026-11-01T05:00:00Z", now, "--since")).isEqualTo(Instant.parse("2026-11-01T05:00:00Z"));
        assertThat(LogWindow.parseTime(null, now, "--since")).isNull();
        assertThatThrownBy(() -> LogWindow.parseTime("last week", now, "--since")).hasMessageContaining("--since 'last week'");
        assertThatThrownBy(() -> LogWindow.parseDuration("0d", "--window")).hasMessageContaining("longer than zero");
        assertThatThrownBy(() -> new LogWindow(now, now)).hasMessageContaining("empty");
    }
}
