package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.train.constraints.Latency;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The training rows (everything but the test rows: what the candidates are searched, validated and refitted on) and the
 * test rows (scored once, for the report), with their targets, as row numbers of the run's frame: {@code trainingIndex}
 * and {@code testIndex}. The rows are not copied into frames of their own: the feature pipelines are fitted and applied
 * on the frame by row number.
 *
 * <p>The frame is held only while candidates still encode rows from it: {@link #releaseFrame()} lets it go (at 1M rows x
 * 21 columns it is 168 MB, which the fits of the last candidates need no more). What the run reads of the raw rows after
 * the fits is taken beforehand: {@link #latencyRows()} here, the reference profile and sketches in
 * {@link TrainingRowSummaries}.
 */
final class TrainingRows {
    private DataFrame frame;
    private final double[] y;
    private final double[] yTest;
    private final int[] trainingIndex;
    private final int[] testIndex;
    private final DataFrame latencyRows;

    private TrainingRows(DataFrame frame, double[] y, double[] yTest, int[] trainingIndex, int[] testIndex) {
        this.frame = frame;
        this.y = y;
        this.yTest = yTest;
        this.trainingIndex = trainingIndex;
        this.testIndex = testIndex;
        this.latencyRows = latencyRows(frame, testIndex.length > 0 ? testIndex : trainingIndex);
    }

    static TrainingRows of(DataFrame frame, Target target, Splits splits) {
        int[] training = IntStream.concat(Arrays.stream(splits.fit()), Arrays.stream(splits.validation())).sorted().toArray();
        return new TrainingRows(frame, Splits.select(target.y(), training), Splits.select(target.y(), splits.test()),
                training, splits.test());
    }

    /**
     * The rows {@link Latency#measure(dev.kiln.runtime.KilnModel, DataFrame)} times of the test rows (of the training
     * rows when there are none): at most {@link Latency#MAX_ROWS}, spread evenly, as it picks them of the whole frame of
     * those rows, so it times the very same rows.
     */
    private static DataFrame latencyRows(DataFrame frame, int[] rows) {
        int n = Math.min(rows.length, Latency.MAX_ROWS);
        int[] picked = new int[n];
        for (int i = 0; i < n; i++) {
            picked[i] = rows[(int) ((long) i * rows.length / n)];
        }
        return frame.select(picked);
    }

    /** The run's frame; {@link IllegalStateException} once {@link #releaseFrame released}. */
    DataFrame frame() {
        if (frame == null) {
            throw new IllegalStateException("the training frame was released: read what is needed before the fits");
        }
        return frame;
    }

    /**
     * Frames of at least this many cells (8 bytes each: 64 MB) are worth a full collection once released (see
     * {@link #releaseFrame()}); smaller ones are not worth the pause.
     */
    static final long COLLECT_AFTER_RELEASE_CELLS = 8L << 20;

    /**
     * Lets the frame go: no row of it is read any more. A large frame is then collected at once (a hint: the JVM's
     * {@code -XX:+DisableExplicitGC} ignores it): the collectors shrink the heap only after a full collection, and the
     * last fits allocate XGBoost's native matrices next, so without it the frame's pages stay resident through them (on
     * 1M rows x 21 columns the heap went from 486 to 386 MB here, with the {@code kiln} launcher's collector settings).
     */
    void releaseFrame() {
        long cells = (long) frame.rowCount() * frame.columns().size();
        frame = null;
        if (cells >= COLLECT_AFTER_RELEASE_CELLS) {
            System.gc();
        }
    }

    double[] y() {
        return y;
    }

    double[] yTest() {
        return yTest;
    }

    int[] trainingIndex() {
        return trainingIndex;
    }

    int[] testIndex() {
        return testIndex;
    }

    /** The rows whose single-row scoring latency each candidate reports (see {@link #latencyRows(DataFrame, int[])}). */
    DataFrame latencyRows() {
        return latencyRows;
    }

    int testCount() {
        return testIndex.length;
    }
}
