package dev.kiln.train;

import dev.kiln.data.DataFrame;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The training rows (everything but the test rows: what the candidates are searched, validated and refitted on) and the
 * test rows (scored once, for the report), with their targets, as row numbers of the run's frame: {@code trainingIndex}
 * and {@code testIndex}. The rows are not copied into frames of their own: the feature pipelines are fitted and applied
 * on the frame by row number; {@link #training()} and {@link #test()} select a frame for the few steps that need one.
 */
record TrainingRows(DataFrame frame, double[] y, double[] yTest, int[] trainingIndex, int[] testIndex) {
    static TrainingRows of(DataFrame frame, Target target, Splits splits) {
        int[] training = IntStream.concat(Arrays.stream(splits.fit()), Arrays.stream(splits.validation())).sorted().toArray();
        return new TrainingRows(frame, Splits.select(target.y(), training), Splits.select(target.y(), splits.test()),
                training, splits.test());
    }

    /** A frame of the training rows, in order (a copy: keep it no longer than the step that needs it). */
    DataFrame training() {
        return frame.select(trainingIndex);
    }

    /** A frame of the test rows, in order (a copy: keep it no longer than the step that needs it). */
    DataFrame test() {
        return frame.select(testIndex);
    }

    int testCount() {
        return testIndex.length;
    }
}
