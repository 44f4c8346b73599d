package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.constraints.Interpretability;
import dev.kiln.train.search.SearchBudget;
import dev.kiln.train.search.SearchSpace;
import dev.kiln.train.validation.ValidationPlan;
import dev.kiln.train.validation.ValidationRequest;
import java.time.Duration;
import java.util.Map;

/** A run's validation plan, search budget and search space, from its options and data. */
final class ValidationPlans {
    private ValidationPlans() {
    }

    /**
     * The plan over the training rows: k-fold below {@link ValidationRequest#DEFAULT_CV_BELOW_ROWS} rows (stratified
     * for classes, by group with --group-column, forward-chaining with a time split), a holdout of
     * {@code --validation-fraction} above; a warm start always holds out (it continues on the fit rows).
     */
    static ValidationPlan of(TrainOptions options, Target target, DataFrame frame, TrainingRows rows, boolean warmStart) {
        int n = rows.y().length;
        int[] classIds = target.task().isClassification() ? Training.labels(rows.y()) : null;
        double[] times = null;
        if (options.split() == TrainOptions.SplitKind.TIME || (options.split() == null && options.timeColumn() != null)) {
            double[] all = Splits.times(frame, options.timeColumn());
            times = Splits.select(all, rows.trainingIndex());
        }
        String[] groups = null;
        String groupColumn = options.tuning().groupColumn();
        if (groupColumn != null) {
            if (groupColumn.equals(options.target())) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--group-column '" + groupColumn + "' is the target; "
                        + "group by an input column (a customer, a patient, a store)", Map.of("option", "--group-column"));
            }
            if (!frame.has(groupColumn)) {
                throw new KilnException(ErrorCode.COLUMN_MISSING, "--group-column '" + groupColumn + "' is not a column of the "
                        + "data; its columns are: " + String.join(", ", frame.names()),
                        Map.of("option", "--group-column", "column", groupColumn));
            }
            DataColumn column = frame.column(groupColumn);
            groups = new String[n];
            for (int i = 0; i < n; i++) {
                int row = rows.trainingIndex()[i];
                groups[i] = column.isMissing(row) ? "" : String.valueOf(column.value(row));
            }
        }
        Integer configurations = options.tuning().configurations();
        if (configurations != null && configurations < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--configurations must be 1 or more, got " + configurations,
                    Map.of("option", "--configurations", "value", String.valueOf(configurations)));
        }
        Integer folds = options.tuning().folds();
        if (folds != null && folds < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--folds must be 2 or more, got " + folds,
                    Map.of("option", "--folds", "value", String.valueOf(folds)));
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(n, classIds, groups, times,
                folds == null ? ValidationRequest.DEFAULT_FOLDS : folds, options.validationFraction(),
                warmStart ? 0 : ValidationRequest.DEFAULT_CV_BELOW_ROWS, options.seed()));
        if (!target.task().isClassification()) {
            return plan;
        }
        // The plan speaks of class indices; the user wrote names.
        java.util.List<String> notes = plan.notes().stream().map(note -> {
            java.util.regex.Matcher m = CLASS_INDEX.matcher(note);
            return m.lookingAt() ? "class '" + target.classes().get(Integer.parseInt(m.group(1))) + "'" + note.substring(m.end())
                    : note;
        }).toList();
        return new ValidationPlan(plan.kind(), plan.folds(), plan.description(), notes);
    }

    private static final java.util.regex.Pattern CLASS_INDEX = java.util.regex.Pattern.compile("class (\\d+)");

    /**
     * The search budget: --budget, else the default for the data's size ({@link SearchBudget#defaultFor}), at most half of
     * --max-train-seconds when that is set (the refits and the rest need the other half).
     */
    static SearchBudget budget(TrainOptions options, long rows, int features) {
        Duration given = options.tuning().budget();
        SearchBudget defaults = SearchBudget.defaultFor(rows, features);
        if (given == null && options.tuning().configurations() != null && options.constraints().maxTrainSeconds() == null) {
            return new SearchBudget(Tuning.UNBOUNDED, defaults.shares()); // bounded by --configurations, not the clock
        }
        Duration total = given != null ? given : defaults.total();
        Double maxTrain = options.constraints().maxTrainSeconds();
        if (given == null && maxTrain != null) {
            Duration half = Duration.ofMillis(Math.round(maxTrain * 500));
            total = total.compareTo(half) > 0 ? half : total;
        }
        return new SearchBudget(total, defaults.shares());
    }

    /** The search spaces, narrowed by --search-space, and under --interpretable to models a person can read. */
    static SearchSpace space(TrainOptions options) {
        SearchSpace space = SearchSpace.defaults();
        if (options.constraints().interpretable()) {
            space = space.narrow("gbdt.max_depth=2.." + Interpretability.MAX_GBDT_DEPTH + ",gbdt.max_rounds=10.."
                    + Interpretability.MAX_GBDT_ROUNDS + ",tree.max_depth=2.." + Interpretability.MAX_TREE_DEPTH);
        }
        String spec = options.tuning().space();
        return spec == null || spec.isBlank() ? space : space.narrow(spec);
    }
}
