package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.monitor.logs.LogFiles;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delayed labels of a yes/no model: as written, as JSON booleans or 1/0, and against a model whose classes are false/true. */
class YesNoFeedbackTest {
    @TempDir
    Path logs;

    private static String prediction(String id, String no, String yes, String predicted, double pYes) {
        return String.format(Locale.ROOT, "{\"request_id\":\"%s\",\"time\":\"2026-11-01T01:00:00Z\",\"model\":\"churn\","
                + "\"version\":\"1\",\"row\":0,\"inputs\":{},\"outputs\":{\"prediction\":\"%s\",\"probabilities\":"
                + "{\"%s\":%s,\"%s\":%s}},\"latency_ms\":1.0}", id, predicted, no, Double.toString(1 - pYes), yes,
                Double.toString(pYes));
    }

    /** {@code labelJson}: the label's JSON value, quoted or not. */
    private static String feedback(String id, String labelJson) {
        return "{\"request_id\":\"" + id + "\",\"time\":\"2026-11-02T00:00:00Z\",\"model\":\"churn\",\"served_version\":\"1\","
                + "\"label\":" + labelJson + ",\"feedback_id\":\"f-" + id + "\"}";
    }

    private PerformanceReport.Window analyze(String no, String yes) throws Exception {
        LogFiles.write(logs, "churn", "predictions", "20261101-000000", 1, List.of(
                prediction("r1", no, yes, yes, 0.9),
                prediction("r2", no, yes, no, 0.2),
                prediction("r3", no, yes, yes, 0.7),
                prediction("r4", no, yes, no, 0.1),
                prediction("r5", no, yes, no, 0.3)));
        LogFiles.write(logs, "churn", "feedback", "20261102-000000", 1, List.of(
                feedback("r1", "\"yes\""), feedback("r2", "false"), feedback("r3", "1"), feedback("r4", "\"No\""),
                feedback("r5", "\"maybe\"")));
        PerformanceSpec spec = new PerformanceSpec(Task.BINARY, List.of(no, yes), yes, null, null, Duration.ofDays(1), null);
        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "churn"), LogWindow.ALL, spec);
        assertThat(report.labelsUnknown()).isEqualTo(1);
        assertThat(report.labelsUnknownExamples()).singleElement().asString().contains("'maybe'");
        return report.windows().get(0);
    }

    @Test
    void yesNoModelTakesWordsBooleansAndOnesAndZeros() throws Exception {
        PerformanceReport.Window w = analyze("no", "yes");
        assertThat(w.labelled()).isEqualTo(4);
        assertThat(w.metrics().get("accuracy")).isEqualTo(1.0);
        assertThat(w.metrics().get("roc_auc")).isEqualTo(1.0);
    }

    @Test
    void aModelWithClassesFalseTrueTakesYesAndNo() throws Exception {
        PerformanceReport.Window w = analyze("false", "true");
        assertThat(w.labelled()).isEqualTo(4);
        assertThat(w.metrics().get("accuracy")).isEqualTo(1.0);
    }
}
