package dev.kiln.app.pipeline;

import dev.kiln.app.promotion.Gates;
import dev.kiln.monitor.alerts.AlertRules;
import java.nio.file.Path;
import java.time.Duration;
import dev.kiln.train.Tuning;
import dev.kiln.train.constraints.Constraints;
import java.util.List;
import java.util.Map;

/**
 * One model's loop as {@code kiln.yaml} declares it (read by {@link PipelineFile}; the schema is in
 * {@code docs/pipeline.md}). Relative paths are resolved against {@link #baseDir}, the file's directory.
 *
 * @param name     the registered model, and the pipeline's name
 * @param data     a file, a glob, a directory of files, or a {@code jdbc:} URL (with {@link #query})
 * @param config   every section as written, in canonical form: the stage keys hash the part each stage reads
 */
public record PipelineSpec(Path file, Path baseDir, String name, String data, String query, String target, Train train,
                           Validate validate, Gate gates, Promote promote, Rollout rollout, AlertRules monitor,
                           Triggers triggers, Map<String, Object> config) {

    /**
     * The options of {@code kiln train}, by their snake_case names; null where Kiln decides. {@code tuning}: budget,
     * search_space, group_column, folds; {@code constraints}: max_latency_us, max_bundle_kb, max_train_seconds,
     * interpretable, monotone.
     */
    public record Train(String task, List<String> algorithms, Long seed, String split, String timeColumn,
                        Double testFraction, Double validationFraction, List<String> exclude, String positiveClass,
                        Double costFp, Double costFn, List<String> sliceBy, boolean warmStart, Tuning tuning,
                        Constraints constraints) {
    }

    /**
     * Validation of new data against the schema and profile of the version in production.
     *
     * @param blockOn {@code fail} (default: a missing column or a value of the wrong type stops the run), {@code warn}
     *                (also new categories, out-of-range values, missing-rate jumps) or {@code never}
     */
    public record Validate(String blockOn, double missingRateJump) {
    }

    /** Promotion checks: thresholds as {@code gate.*} tags and {@code --require} give them, and the margins. */
    public record Gate(List<Gates.Threshold> thresholds, double maxRegression, double minLift) {
    }

    /**
     * @param alias   the alias a passing candidate moves (protected aliases go through the gates)
     * @param rollout {@code direct}, {@code shadow-canary} or {@code none} (register only)
     */
    public record Promote(String alias, String rollout) {
        public boolean registersOnly() {
            return "none".equals(rollout);
        }
    }

    /** How a shadow and canary rollout is run on a {@code kiln serve} that follows the alias. */
    public record Rollout(String serve, Path adminTokenFile, int shadowRequests, double minAgreement, int minLabelled,
                          List<Integer> canarySteps, int canaryIntervalSeconds, Duration maxWait, Path logDir) {
    }

    /**
     * What starts a run under {@code kiln pipeline watch}.
     *
     * @param data     a change of the data (new or changed file, a new file in the directory)
     * @param cron     a five-field cron schedule, or null
     * @param onAlerts names of monitoring rules whose alert opening on the served model starts a run
     * @param poll     how often the watcher looks
     */
    public record Triggers(boolean data, String cron, String zone, List<String> onAlerts, Duration poll) {
    }
}
