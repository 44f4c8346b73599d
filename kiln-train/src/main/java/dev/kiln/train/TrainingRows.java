package dev.kiln.train;

import dev.kiln.data.DataFrame;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The training rows (everything but the test rows: what the candidates are searched, validated and refitted on) and the
 * test rows (scored once, for the report), with their targets; {@code trainingIndex} holds the frame's row numbers.
 */
record TrainingRows(DataFrame training, DataFrame test, double[] y, double[] yTest, int[] trainingIndex) {
    static TrainingRows of(DataFrame frame, Target target, Splits splits) {
        int[] training = IntStream.concat(Arrays.stream(splits.fit()), Arrays.stream(splits.validation())).sorted().toArray();
        return new TrainingRows(frame.select(training), frame.select(splits.test()), Splits.select(target.y(), training),
                Splits.select(target.y(), splits.test()), training);
    }
}
