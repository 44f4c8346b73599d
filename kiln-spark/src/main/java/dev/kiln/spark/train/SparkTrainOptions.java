package dev.kiln.spark.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What decides a {@code kiln spark train} run: the options of {@code kiln train} that apply to one GBDT fitted by
 * XGBoost4J-Spark, with kiln train's defaults (gbdt: depth 6, eta 0.1, up to 300 rounds, early stopping after 20
 * rounds without improvement on the validation rows).
 *
 * @param source              the data as the lineage names it
 * @param task                null to infer from the target, as kiln train does
 * @param positiveClass       binary only; null: the "true" word of a yes/no target, else the rarer class
 * @param earlyStoppingRounds 0: every round is kept
 * @param workers             XGBoost workers (Spark tasks training at once); 0: the session's default parallelism
 */
public record SparkTrainOptions(String source, String target, Task task, List<String> exclude, double testFraction,
                                double validationFraction, long seed, String positiveClass, int maxDepth,
                                double learningRate, int maxRounds, int earlyStoppingRounds, int workers, Path out,
                                boolean replaceOutput) {
    public static final int DEFAULT_MAX_DEPTH = 6;
    public static final double DEFAULT_LEARNING_RATE = 0.1;
    public static final int DEFAULT_MAX_ROUNDS = 300;
    public static final int DEFAULT_EARLY_STOPPING_ROUNDS = 20;

    public SparkTrainOptions {
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        check(target != null && !target.isBlank(), "--target", target, "is required: the column to predict");
        check(out != null, "--out", null, "is required: the bundle directory to write");
        check(testFraction > 0 && testFraction < 1, "--test-fraction", testFraction, "must be between 0 and 1 (exclusive)");
        check(validationFraction > 0 && validationFraction < 1, "--validation-fraction", validationFraction,
                "must be between 0 and 1 (exclusive)");
        check(maxDepth >= 1, "--max-depth", maxDepth, "must be an integer >= 1");
        check(learningRate > 0 && learningRate <= 1, "--learning-rate", learningRate, "must be in (0, 1]");
        check(maxRounds >= 1, "--max-rounds", maxRounds, "must be an integer >= 1");
        check(earlyStoppingRounds >= 0, "--early-stopping-rounds", earlyStoppingRounds,
                "must be an integer >= 0 (0: no early stopping)");
        check(workers >= 0, "--workers", workers, "must be an integer >= 0 (0: the session's default parallelism)");
    }

    /** kiln train's defaults for {@code target}, written to {@code out}. */
    public static SparkTrainOptions defaults(String source, String target, Path out) {
        return new SparkTrainOptions(source, target, null, List.of(), 0.2, 0.2, 42L, null, DEFAULT_MAX_DEPTH,
                DEFAULT_LEARNING_RATE, DEFAULT_MAX_ROUNDS, DEFAULT_EARLY_STOPPING_ROUNDS, 0, out, false);
    }

    public SparkTrainOptions withRounds(int maxRounds, int earlyStoppingRounds) {
        return new SparkTrainOptions(source, target, task, exclude, testFraction, validationFraction, seed, positiveClass,
                maxDepth, learningRate, maxRounds, earlyStoppingRounds, workers, out, replaceOutput);
    }

    private static void check(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " " + rule + (value == null ? "" : ", got " + value),
                    value == null ? Map.of("option", option) : Map.of("option", option, "value", String.valueOf(value)));
        }
    }
}
