package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.monitor.logs.LogFiles;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerformanceAnalyzerTest {
    @TempDir
    Path logs;

    static final PerformanceSpec SPEC = new PerformanceSpec(Task.BINARY, List.of("good", "bad"), "bad", 1.0, 5.0,
            Duration.ofDays(1), null);

    @Test
    void joinsFeedbackByRequestAndComputesMetricsPerVersionAndDay() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T01:00:00Z", "1", 0, "{}", "bad", 0.9),
                LogFiles.prediction("r2", "2026-11-01T02:00:00Z", "1", 0, "{}", "bad", 0.6),
                LogFiles.prediction("r3", "2026-11-01T03:00:00Z", "1", 0, "{}", "good", 0.2),
                LogFiles.prediction("r4", "2026-11-01T04:00:00Z", "1", 0, "{}", "good", 0.1),
                LogFiles.prediction("r5", "2026-11-02T01:00:00Z", "1", 0, "{}", "bad", 0.5),
                LogFiles.prediction("r6", "2026-11-02T02:00:00Z", "1", 0, "{}", "bad", 0.5),
                LogFiles.prediction("r7", "2026-11-02T03:00:00Z", "1", 0, "{}", "good", 0.3),
                LogFiles.prediction("r8", "2026-11-02T04:00:00Z", "2", 0, "{}", "bad", 0.8),
                LogFiles.prediction("r9", "2026-11-02T05:00:00Z", "2", 0, "{}", "good", 0.4)));
        LogFiles.write(logs, "credit", "feedback", "20261103-000000", 1, List.of(
                LogFiles.label("r1", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r2", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r2", "2026-11-03T00:00:02Z", "good"), // a correction: the later label counts
                LogFiles.label("r3", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r4", "2026-11-03T00:00:01Z", "good"),
                LogFiles.label("r5", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r6", "2026-11-03T00:00:01Z", "good"),
                LogFiles.label("r7", "2026-11-03T00:00:01Z", "maybe"),
                LogFiles.reward("r8", "2026-11-03T00:00:01Z", 3.0),
                LogFiles.label("ghost", "2026-11-03T00:00:01Z", "bad")));

        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "credit"), LogWindow.ALL, SPEC);

        assertThat(report.windows()).hasSize(3);
        PerformanceReport.Window day1 = report.windows().get(0);
        assertThat(day1.version()).isEqualTo("1");
        assertThat(day1.start()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(day1.end()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(day1.predictions()).isEqualTo(4);
        assertThat(day1.labelled()).isEqualTo(4);
        // TP r1, FP r2, FN r3, TN r4
        assertThat(day1.metrics().get("accuracy")).isEqualTo(0.5);
        // positives score {0.9, 0.2}, negatives {0.6, 0.1}: pairs won 0.9>0.6, 0.9>0.1, 0.2>0.1 → 3 of 4
        assertThat(day1.metrics().get("roc_auc")).isEqualTo(0.75);
        double logLoss = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.2) + Math.log(0.9)) / 4;
        assertThat(day1.metrics().get("log_loss")).isCloseTo(logLoss, within(1e-12));
        assertThat(day1.costPerRow()).isEqualTo((1.0 + 5.0) / 4); // one false positive, one false negative
        assertThat(day1.positiveRate()).isEqualTo(0.5);

        PerformanceReport.Window day2v1 = report.windows().get(1);
        assertThat(day2v1.version()).isEqualTo("1");
        assertThat(day2v1.predictions()).isEqualTo(3);
        assertThat(day2v1.labelled()).isEqualTo(2); // r7's label is not a class
        assertThat(day2v1.metrics().get("roc_auc")).isEqualTo(0.5); // one tied pair counts one half

        PerformanceReport.Window day2v2 = report.windows().get(2);
        assertThat(day2v2.version()).isEqualTo("2");
        assertThat(day2v2.labelled()).isZero();
        assertThat(day2v2.rewarded()).isEqualTo(1);
        assertThat(day2v2.rewardMean()).isEqualTo(3.0);
        assertThat(day2v2.metrics()).isEmpty();

        assertThat(report.versions()).extracting(PerformanceReport.Window::version).containsExactly("1", "2");
        assertThat(report.versions().get(0).predictions()).isEqualTo(7);
        assertThat(report.versions().get(0).labelled()).isEqualTo(6);
        assertThat(report.feedbackRecords()).isEqualTo(9); // r2 counted once
        assertThat(report.feedbackUnmatched()).isEqualTo(1);
        assertThat(report.labelsUnknown()).isEqualTo(1);
        assertThat(report.labelsUnknownExamples()).singleElement().asString().contains("r7").contains("'maybe'");
    }

    @Test
    void anInputColumnCanGiveEachRowItsEventTime() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T01:00:00Z", "1", 0, "{\"date\":\"2014-01-05\"}", "bad", 0.9),
                LogFiles.prediction("r2", "2026-11-01T01:00:00Z", "1", 0, "{\"date\":\"2014-02-05\"}", "good", 0.1),
                LogFiles.prediction("r3", "2026-11-01T01:00:00Z", "1", 0, "{\"date\":null}", "good", 0.1)));
        PerformanceSpec byDate = new PerformanceSpec(Task.BINARY, List.of("good", "bad"), "bad", null, null,
                Duration.ofDays(7), "date");
        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "credit"), LogWindow.ALL, byDate);
        assertThat(report.timeSource()).isEqualTo("input:date");
        assertThat(report.window()).isEqualTo("7d");
        assertThat(report.windows()).hasSize(2);
        assertThat(report.windows().get(0).start()).isBefore(Instant.parse("2014-01-05T00:00:00Z").plusSeconds(1));
        assertThat(report.windows().get(1).start()).isAfter(Instant.parse("2014-01-20T00:00:00Z"));
        assertThat(report.rowsWithoutTime()).isEqualTo(1);
    }

    /** A shadow's rows share the feedback of the predictions they copy; they neither take it nor count as served. */
    @Test
    void aShadowIsMeasuredOnTheSameFeedbackAsTheServedVersion() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T01:00:00Z", "1", 0, "{}", "bad", 0.9),
                LogFiles.prediction("r2", "2026-11-01T02:00:00Z", "1", 0, "{}", "bad", 0.6),
                LogFiles.prediction("r3", "2026-11-01T03:00:00Z", "1", 0, "{}", "good", 0.2)));
        LogFiles.write(logs, "credit", "shadow", "20261101-000000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T01:00:00Z", "7", 0, "{}", "bad", 0.8),
                LogFiles.prediction("r2", "2026-11-01T02:00:00Z", "7", 0, "{}", "good", 0.3),
                LogFiles.prediction("r3", "2026-11-01T03:00:00Z", "7", 0, "{}", "bad", 0.7)));
        LogFiles.write(logs, "credit", "feedback", "20261103-000000", 1, List.of(
                LogFiles.label("r1", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r2", "2026-11-03T00:00:01Z", "good"),
                LogFiles.label("r3", "2026-11-03T00:00:01Z", "good")));

        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "credit"), LogWindow.ALL, SPEC);

        assertThat(report.versions()).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo("1");
            assertThat(v.labelled()).isEqualTo(3);
            assertThat(v.metrics().get("accuracy")).isEqualTo(2 / 3.0); // r2 wrong
        });
        assertThat(report.shadows()).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo("7");
            assertThat(v.predictions()).isEqualTo(3);
            assertThat(v.labelled()).isEqualTo(3);
            assertThat(v.metrics().get("accuracy")).isEqualTo(2 / 3.0); // r3 wrong
            assertThat(v.metrics().get("roc_auc")).isEqualTo(1.0); // positive 0.8 above both negatives 0.3, 0.7
        });
        assertThat(report.windows()).extracting(PerformanceReport.Window::version).containsExactly("1");
        assertThat(report.feedbackUnmatched()).isZero();
    }

    @Test
    void regressionGetsRmseAndMae() throws Exception {
        LogFiles.write(logs, "price", "predictions", "20261101-000000", 1, List.of(
                "{\"request_id\":\"a\",\"time\":\"2026-11-01T01:00:00Z\",\"model\":\"price\",\"version\":\"1\",\"row\":0,"
                        + "\"inputs\":{},\"outputs\":{\"prediction\":10.0,\"probabilities\":null}}",
                "{\"request_id\":\"b\",\"time\":\"2026-11-01T01:00:00Z\",\"model\":\"price\",\"version\":\"1\",\"row\":0,"
                        + "\"inputs\":{},\"outputs\":{\"prediction\":4,\"probabilities\":null}}"));
        LogFiles.write(logs, "price", "feedback", "20261101-000000", 1, List.of(
                "{\"request_id\":\"a\",\"time\":\"2026-11-01T02:00:00Z\",\"label\":13}",
                "{\"request_id\":\"b\",\"time\":\"2026-11-01T02:00:00Z\",\"label\":0}"));
        PerformanceSpec spec = new PerformanceSpec(Task.REGRESSION, List.of(), null, null, null, Duration.ofDays(1), null);
        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "price"), LogWindow.ALL, spec);
        assertThat(report.predictionsRead().malformedExamples()).isEmpty();
        assertThat(report.feedbackRead().malformedExamples()).isEmpty();
        PerformanceReport.Window w = report.versions().get(0);
        assertThat(w.labelled()).isEqualTo(2);
        assertThat(w.metrics().get("rmse")).isCloseTo(Math.sqrt((9 + 16) / 2.0), within(1e-12));
        assertThat(w.metrics().get("mae")).isEqualTo(3.5);
    }
    /** A pass fed by its caller measures each version with its own spec; a version given no spec only takes its feedback. */
    @Test
    void aPassMeasuresEachVersionWithItsOwnSpecAndSkipsOnesWithout() throws Exception {
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, List.of(
                LogFiles.prediction("r1", "2026-11-01T01:00:00Z", "1", 0, "{}", "bad", 0.9),
                LogFiles.prediction("r2", "2026-11-01T02:00:00Z", "2", 0, "{}", "bad", 0.6),
                LogFiles.prediction("r3", "2026-11-01T03:00:00Z", "3", 0, "{}", "good", 0.2)));
        LogFiles.write(logs, "credit", "feedback", "20261103-000000", 1, List.of(
                LogFiles.label("r1", "2026-11-03T00:00:01Z", "bad"),
                LogFiles.label("r2", "2026-11-03T00:00:01Z", "good"),
                LogFiles.label("r3", "2026-11-03T00:00:01Z", "good")));
        PredictionLogReader log = new PredictionLogReader(logs, "credit");
        PerformanceSpec cheapMistakes = new PerformanceSpec(Task.BINARY, List.of("good", "bad"), "bad", 0.5, 1.0,
                Duration.ofDays(1), null);
        PerformanceAnalyzer.Pass pass = new PerformanceAnalyzer.Pass(log, LogWindow.ALL);
        PredictionLogReader.ReadStats read = log.predictions(LogWindow.ALL,
                p -> pass.add(p, switch (p.version()) {
                    case "1" -> SPEC;
                    case "2" -> cheapMistakes;
                    default -> null;
                }));
        PerformanceReport report = pass.report(SPEC, read);

        assertThat(report.versions()).extracting(PerformanceReport.Window::version).containsExactly("1", "2");
        assertThat(report.versions().get(0).costPerRow()).isEqualTo(0.0);
        assertThat(report.versions().get(1).costPerRow()).as("a false positive at version 2's price").isEqualTo(0.5);
        assertThat(report.feedbackRecords()).isEqualTo(3);
        assertThat(report.feedbackUnmatched()).as("version 3's label was taken, not left unmatched").isZero();
        assertThat(report.predictionsRead()).isSameAs(read);
    }
}
