package dev.kiln.monitor.performance;

import dev.kiln.monitor.logs.Buckets;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What is needed to score logged predictions against feedback: the task and classes of the model, the cost
 * matrix when the model was trained with one (binary), the width of each window and where a row's time comes
 * from — the time it was logged, or an input column holding the event's own time ({@code timeColumn}), which is
 * what a replay of history needs.
 */
public record PerformanceSpec(Task task, List<String> classes, String positiveClass, Double costFalsePositive,
                              Double costFalseNegative, Buckets window, String timeColumn) {
    public PerformanceSpec(Task task, List<String> classes, String positiveClass, Double costFalsePositive,
                           Double costFalseNegative, Duration window, String timeColumn) {
        this(task, classes, positiveClass, costFalsePositive, costFalseNegative, Buckets.of(window), timeColumn);
    }

    public PerformanceSpec {
        if (window == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the window is required", Map.of("field", "window"));
        }
        if (task == Task.BINARY && (classes == null || classes.size() != 2 || positiveClass == null)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a binary model needs two classes and a positive class");
        }
        if ((costFalsePositive == null) != (costFalseNegative == null)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the costs of false positives and false negatives go together");
        }
    }

    /** The spec of a bundle: its task and classes, and the cost matrix recorded in its lineage parameters. */
    public static PerformanceSpec of(BundleManifest manifest, Duration window, String timeColumn) {
        return of(manifest, Buckets.of(window), timeColumn);
    }

    /** As above, with any kind of window (calendar months included). */
    public static PerformanceSpec of(BundleManifest manifest, Buckets window, String timeColumn) {
        Map<String, Object> params = manifest.lineage() == null || manifest.lineage().parameters() == null
                ? Map.of() : manifest.lineage().parameters();
        return new PerformanceSpec(manifest.task(), manifest.classes(), manifest.positiveClass(),
                number(params.get("cost_false_positive")), number(params.get("cost_false_negative")), window, timeColumn);
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }
}
