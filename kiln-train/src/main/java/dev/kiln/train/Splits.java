package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.Splitter;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Which rows a training run fits on, chooses on (validation) and reports on (test), as row indices of the frame:
 * random, stratified by class, or by time, the test rows split off first and the validation rows from the rest.
 */
record Splits(TrainOptions.SplitKind kind, int[] fit, int[] validation, int[] test) {
    /** The split --split (or its default for the task and --time-column) gives: test rows first, then validation rows. */
    static Splits of(DataFrame frame, Target target, TrainOptions options) {
        return of(frame, target, options, -1);
    }

    /**
     * As above; with {@code trainingRows >= 0} the first that many rows of the frame are the training rows and the rest
     * the test rows (a separate test file, {@link TrainOptions#testData()}), and only the validation rows are split.
     */
    static Splits of(DataFrame frame, Target target, TrainOptions options, int trainingRows) {
        int n = frame.rowCount();
        TrainOptions.SplitKind kind = options.split() != null ? options.split()
                : options.timeColumn() != null ? TrainOptions.SplitKind.TIME
                : target.task().isClassification() ? TrainOptions.SplitKind.STRATIFIED : TrainOptions.SplitKind.RANDOM;
        if (kind == TrainOptions.SplitKind.STRATIFIED && !target.task().isClassification()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--split stratified needs a class target; '" + options.target()
                    + "' is a " + target.task().wireName() + " target: use --split random or time",
                    Map.of("option", "--split", "value", kind.wireName()));
        }
        if (n < 10) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "only " + n + " rows with a target value; Kiln needs at least 10 to train and test",
                    Map.of("rows", n));
        }
        int[] classIds = target.task().isClassification() ? Arrays.stream(target.y()).mapToInt(v -> (int) v).toArray() : null;
        double[] times = kind == TrainOptions.SplitKind.TIME ? times(frame, options.timeColumn()) : null;
        Splitter.Split outer = trainingRows >= 0
                ? new Splitter.Split(IntStream.range(0, trainingRows).toArray(), IntStream.range(trainingRows, n).toArray())
                : splitOnce(kind, IntStream.range(0, n).toArray(), classIds, times, options.testFraction(), options.seed());
        int[] trainIdx = outer.train();
        Splitter.Split inner = splitOnce(kind, trainIdx, classIds, times, options.validationFraction(), options.seed() + 1);
        return new Splits(kind, inner.train(), inner.test(), outer.test());
    }

    /** Splits the given row indices; the returned arrays hold row indices of the frame. */
    private static Splitter.Split splitOnce(TrainOptions.SplitKind kind, int[] rows, int[] classIds, double[] times,
                                            double fraction, long seed) {
        Splitter.Split local = switch (kind) {
            case RANDOM -> Splitter.random(rows.length, fraction, seed);
            case STRATIFIED -> Splitter.stratified(selectInts(classIds, rows), fraction, seed);
            case TIME -> Splitter.byTime(select(times, rows), fraction);
        };
        return new Splitter.Split(map(rows, local.train()), map(rows, local.test()));
    }

    static double[] times(DataFrame frame, String name) {
        DataColumn column = frame.column(name);
        if (!(column instanceof NumericColumn numeric) || column.type() == ColumnType.BOOLEAN) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--time-column '" + name + "' is " + column.type().wireName()
                    + "; it must be a datetime or a number", Map.of("column", name));
        }
        double[] t = numeric.values();
        for (int i = 0; i < t.length; i++) {
            if (Double.isNaN(t[i])) {
                throw new KilnException(ErrorCode.VALUE_INVALID, "--time-column '" + name + "' is missing in a row with a target ("
                        + "data row " + (i + 1) + " after rows without a target were set aside); a time split needs every time",
                        Map.of("column", name));
            }
        }
        return t;
    }

    private static int[] map(int[] rows, int[] local) {
        int[] out = new int[local.length];
        for (int i = 0; i < local.length; i++) {
            out[i] = rows[local[i]];
        }
        Arrays.sort(out);
        return out;
    }

    static double[][] selectRows(double[][] values, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    static double[] select(double[] values, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    private static int[] selectInts(int[] values, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }
}
