package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.runtime.Task;
import java.util.List;

/**
 * The test rows a training run set aside, reproduced from its data and options: the same target preparation (rows with
 * a missing target set aside, the classes and positive class) and the same deterministic split as {@link Training}, so
 * another model can be scored on exactly the rows a run reported on (promotion's head-to-head comparison).
 *
 * @param rows          the test rows, every column of the data
 * @param y             their target: class index into {@code classes} (binary: 1 = the positive class) or the value
 * @param task          the run's task
 * @param classes       output order of the classes (binary: negative, positive); empty for regression
 * @param positiveClass binary only
 */
public record HeldOut(DataFrame rows, double[] y, Task task, List<String> classes, String positiveClass) {

    /**
     * The test rows {@link Training#run} sets aside for {@code options} on {@code data} (the whole file, as read). Pin
     * {@code options.task()} and {@code options.positiveClass()} to the run's (as its lineage records them), or a changed
     * class balance could pick another positive class. Only the target and split options are read. Read {@code data}
     * with {@link Target#readOptions} so its labels are as written, as the run read them; a positive class recorded as
     * {@code true}/{@code false} (a run from before labels were kept as written) names the matching yes/no word.
     */
    public static HeldOut testRows(DataFrame data, TrainOptions options) {
        Target target = Target.of(data, options);
        Splits splits = Splits.of(target.frame(), target, options);
        return new HeldOut(target.frame().select(splits.test()), Splits.select(target.y(), splits.test()), target.task(),
                target.classes(), target.positiveClass());
    }
}
