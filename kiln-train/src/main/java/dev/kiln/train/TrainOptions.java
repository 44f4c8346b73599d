package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.eval.CostMatrix;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides a training run; recorded in the bundle's lineage so the run can be repeated.
 *
 * @param task         null to infer from the target
 * @param split        random, stratified (default for classification) or time
 * @param positiveClass binary only; null picks the minority class
 * @param costMatrix   binary only; when set, the decision threshold minimises this cost on validation rows
 * @param sliceBy      columns whose groups the chosen model is evaluated on, test rows (with fairness gaps for binary)
 * @param warmStart    null trains from scratch; else continues that GBDT bundle (see {@link WarmStart})
 * @param testData     null carves the test rows from {@code data}; else every row of this file is a test row and every
 *                     row of {@code data} a training row (the files are typed together, as one dataset)
 * @param tuning       how candidates are searched and validated (see {@link Tuning})
 * @param constraints  what production asks of the chosen model: latency, size, training time, interpretability,
 *                     monotone columns ({@link Constraints#none()}: nothing)
 */
public record TrainOptions(
        Path data,
        String target,
        Task task,
        SplitKind split,
        String timeColumn,
        double testFraction,
        double validationFraction,
        long seed,
        List<String> algorithms,
        List<String> exclude,
        String positiveClass,
        CostMatrix costMatrix,
        Path out,
        boolean replaceOutput,
        List<String> sliceBy,
        WarmStart warmStart,
        Path testData,
        Tuning tuning,
        Constraints constraints) {

    public TrainOptions {
        tuning = tuning == null ? Tuning.DEFAULTS : tuning;
        constraints = constraints == null ? Constraints.none() : constraints;
        algorithms = names("--algorithms", algorithms);
        exclude = names("--exclude", exclude);
        sliceBy = names("--slice-by", sliceBy);
    }

    /** A list option as given (null: none), refused when an entry is null, which no command line can give. */
    private static List<String> names(String option, List<String> names) {
        if (names == null) {
            return List.of();
        }
        for (String name : names) {
            if (name == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " has an empty (null) entry",
                        Map.of("option", option));
            }
        }
        return List.copyOf(names);
    }

    /** Options with the test rows carved from the data and the default tuning. */
    public TrainOptions(Path data, String target, Task task, SplitKind split, String timeColumn, double testFraction,
                        double validationFraction, long seed, List<String> algorithms, List<String> exclude,
                        String positiveClass, CostMatrix costMatrix, Path out, boolean replaceOutput, List<String> sliceBy,
                        WarmStart warmStart) {
        this(data, target, task, split, timeColumn, testFraction, validationFraction, seed, algorithms, exclude,
                positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, null, null, null);
    }

    /** Options trained from scratch. */
    public TrainOptions(Path data, String target, Task task, SplitKind split, String timeColumn, double testFraction,
                        double validationFraction, long seed, List<String> algorithms, List<String> exclude,
                        String positiveClass, CostMatrix costMatrix, Path out, boolean replaceOutput, List<String> sliceBy) {
        this(data, target, task, split, timeColumn, testFraction, validationFraction, seed, algorithms, exclude,
                positiveClass, costMatrix, out, replaceOutput, sliceBy, null);
    }

    /** Options without slices. */
    public TrainOptions(Path data, String target, Task task, SplitKind split, String timeColumn, double testFraction,
                        double validationFraction, long seed, List<String> algorithms, List<String> exclude,
                        String positiveClass, CostMatrix costMatrix, Path out, boolean replaceOutput) {
        this(data, target, task, split, timeColumn, testFraction, validationFraction, seed, algorithms, exclude,
                positiveClass, costMatrix, out, replaceOutput, List.of());
    }

    /**
     * Every candidate {@code --algorithms} names, the default: gbdt_native is a gbdt on category codes with XGBoost's
     * categorical splits (when the data has a categorical column), gbdt_balanced a gbdt with balanced class weights
     * (when the classes are imbalanced), ensemble the blend of the others (see {@link Variant}, {@link EnsembleCandidate}).
     */
    public static final List<String> ALL_ALGORITHMS = List.of("baseline", "linear", "tree", "forest", "gbdt", "gbdt_native",
            "gbdt_balanced", "ensemble");

    public enum SplitKind {
        RANDOM, STRATIFIED, TIME;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static TrainOptions defaults(Path data, String target, Path out) {
        return new TrainOptions(data, target, null, null, null, 0.2, 0.2, 42L, ALL_ALGORITHMS, List.of(), null,
                null, out, false);
    }

    public TrainOptions withAlgorithms(List<String> algorithms) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, testData, tuning, constraints);
    }

    public TrainOptions withCostMatrix(CostMatrix cost, String positive) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positive, cost, out, replaceOutput, sliceBy, warmStart, testData, tuning, constraints);
    }

    public TrainOptions withSliceBy(List<String> columns) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, columns, warmStart, testData, tuning, constraints);
    }

    /** These options continuing {@code warmStart}'s parent (null: from scratch). */
    public TrainOptions withWarmStart(WarmStart warmStart) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, testData, tuning, constraints);
    }

    /** These options with every row of {@code testData} as the test rows (null: carved from the data). */
    public TrainOptions withTestData(Path testData) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, testData, tuning, constraints);
    }

    /** These options searched and validated as {@code tuning} says. */
    public TrainOptions withTuning(Tuning tuning) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, testData, tuning, constraints);
    }

    /** These options choosing under {@code constraints}. */
    public TrainOptions withConstraints(Constraints constraints) {
        return new TrainOptions(data, target, task, split, timeColumn, testFraction, validationFraction, seed,
                algorithms, exclude, positiveClass, costMatrix, out, replaceOutput, sliceBy, warmStart, testData, tuning,
                constraints);
    }
}
