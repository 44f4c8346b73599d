package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import java.util.Map;

/**
 * Reads a run's data: the training file alone, or with {@link TrainOptions#testData()} the training and the test file
 * as one dataset (typed together, so a column is the same type in both), the training rows first.
 */
final class TestData {
    private TestData() {
    }

    /** The frame read, and how many of its first rows came from the training file (-1: no separate test file). */
    record Read(DataFrame frame, int trainingFileRows) {
        /** The training file's rows that have a target value: where the test rows start once {@link Target} drops the rest. */
        int trainingRowsWithTarget(DataFrame all, String target) {
            if (trainingFileRows < 0 || !all.has(target)) {
                return trainingFileRows;
            }
            DataColumn column = all.column(target);
            int kept = 0;
            for (int i = 0; i < trainingFileRows; i++) {
                kept += column.isMissing(i) ? 0 : 1;
            }
            int testKept = 0;
            for (int i = trainingFileRows; i < all.rowCount(); i++) {
                testKept += column.isMissing(i) ? 0 : 1;
            }
            if (kept == 0 || testKept == 0) {
                String which = kept == 0 ? "--data" : "--test-data";
                throw new KilnException(ErrorCode.DATA_EMPTY, which + " has no row with a value of the target '" + target + "'",
                        Map.of("option", which));
            }
            return kept;
        }
    }

    static Read read(TrainOptions options, WarmStartParent parent) {
        if (options.testData() == null) {
            return new Read(parent == null ? DataReader.read(options.data(), Target.readOptions(options.target()))
                    : parent.read(options.data(), options.target()), -1);
        }
        if (parent != null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--test-data cannot be used with a warm start yet: the "
                    + "warm start reads the data with its parent's schema; leave --test-data out", Map.of("option", "--test-data"));
        }
        ReadOptions labelled = Target.readOptions(options.target());
        int testRows = DataReader.read(options.testData(), labelled).rowCount();
        DataFrame both = DataReader.readAll(List.of(options.data(), options.testData()), labelled);
        return new Read(both, both.rowCount() - testRows);
    }
}
