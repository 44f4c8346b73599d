package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.constraints.ConstraintsCheck;
import dev.kiln.train.eval.Slices;
import dev.kiln.train.validation.ValidationPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's data once read, profiled and split, and what the run reads of its raw rows after the fits, taken
 * now: the training rows' summaries for the bundle and the test rows' slice columns. Nothing here but {@link #rows}
 * holds the frame, and the rows let it go once the last candidate has encoded them ({@link TrainingRows#releaseFrame}):
 * the frame read (168 MB at 1M rows x 21 columns) is then garbage before the last fits allocate theirs.
 *
 * @param source    where the data came from, its SHA-256 and its row count (every row read, with or without a target)
 * @param profile   the profile of every row read
 * @param target    the target, without the frame ({@link Target#detached()})
 * @param sliceRows the test rows' {@code --slice-by} columns; null without --slice-by
 */
record Prepared(String source, String sha256, int rowCount, DatasetProfile profile, Target target, List<String> features,
                Splits splits, TrainingRows rows, ValidationPlan plan, TrainingRowSummaries summaries, DataFrame sliceRows) {

    /** Reads the data, profiles it, prepares the target, checks the columns against the constraints and splits. */
    static Prepared of(TrainOptions options, WarmStartParent parent, Constraints constraints, Steps steps, PhaseClock clock) {
        TestData.Read read = TestData.read(options, parent);
        DataFrame all = read.frame();
        clock.lap(TrainingReport.Timings.READ);
        DatasetProfile profile = Profiler.profile(all);
        clock.lap(TrainingReport.Timings.PROFILE);
        steps.next("preparing target and splits");
        Target target = Target.of(all, options);
        if (parent != null) {
            target = parent.compatible(target);
        }
        DataFrame frame = target.frame();
        List<String> features = featureColumns(frame, options);
        Map<String, ColumnType> types = new LinkedHashMap<>();
        frame.names().forEach(n -> types.put(n, frame.column(n).type()));
        ConstraintsCheck.checkColumns(constraints, types, options.target(), options.exclude());
        ConstraintsCheck.checkTask(constraints, target.task());
        Splits splits = Splits.of(frame, target, options, read.trainingRowsWithTarget(all, options.target()));
        TrainingRows rows = TrainingRows.of(frame, target, splits);
        ValidationPlan plan = ValidationPlans.of(options, target, frame, rows, parent != null);
        clock.lap(TrainingReport.Timings.TARGET_AND_SPLITS);
        // The bundle's reference profile covers the training rows, the data the model learnt from, so later drift
        // checks compare against exactly that.
        TrainingRowSummaries summaries = TrainingRowSummaries.of(frame, rows.trainingIndex(), features);
        DataFrame sliceRows = sliceRows(frame, options, rows.testIndex());
        clock.lap(TrainingReport.Timings.BUNDLE);
        return new Prepared(all.source(), all.sha256(), all.rowCount(), profile, target.detached(), features, splits, rows,
                plan, summaries, sliceRows);
    }

    /** Every column but the target and the excluded ones; names the columns that exist when an option has a typo. */
    private static List<String> featureColumns(DataFrame frame, TrainOptions options) {
        List<String> features = new ArrayList<>(frame.names());
        features.remove(options.target());
        for (String excluded : options.exclude()) {
            frame.column(excluded);
        }
        features.removeAll(options.exclude());
        for (String slice : options.sliceBy()) {
            for (String sliced : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                if (sliced.equals(options.target())) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--slice-by '" + sliced + "' is the target; slice by "
                            + "an input column", Map.of("column", sliced));
                }
                frame.column(sliced);
            }
        }
        return features;
    }

    /** The test rows of the columns {@code --slice-by} names, in the frame's order; null without --slice-by. */
    private static DataFrame sliceRows(DataFrame frame, TrainOptions options, int[] testRows) {
        if (options.sliceBy().isEmpty()) {
            return null;
        }
        List<String> named = new ArrayList<>();
        for (String slice : options.sliceBy()) {
            named.addAll(List.of(slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)));
        }
        List<DataColumn> columns = frame.columns().stream().filter(c -> named.contains(c.name())).toList();
        return new DataFrame(columns, frame.source(), frame.sha256()).select(testRows);
    }
}
