package dev.kiln.train.constraints;

import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.train.BaselineTrainer;
import dev.kiln.train.Trainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Monotone constraints ({@code --monotone column=+1|-1}) per algorithm. A constraint is on an input column; the
 * feature pipeline turns a numeric column into its value feature (imputed, perhaps standardised: both keep the
 * order) and perhaps a missing indicator. The value feature carries the direction; the indicator is free (a missing
 * value has no place in the order). So the prediction is monotone in the column over its present values.
 * <ul>
 *   <li>gbdt and forest: XGBoost's {@code monotone_constraints} ({@link #xgboostConstraints}), which XGBoost enforces
 *       on every split (and bounds the leaf values), so the whole ensemble is monotone;</li>
 *   <li>linear: {@link MonotoneLinearTrainer}, an active-set refit that pins wrong-signed weights to zero;</li>
 *   <li>baseline: a constant, monotone in everything;</li>
 *   <li>tree (Kiln's own CART): cannot honour them, and is not trained under {@code --monotone}.</li>
 * </ul>
 */
public final class Monotone {
    private Monotone() {
    }

    /** Whether {@code algorithm} can be trained so that it honours monotone constraints ({@link #honouring}). */
    public static boolean honours(String algorithm) {
        return switch (algorithm) {
            case "baseline", "linear", "gbdt", "forest" -> true;
            default -> false;
        };
    }

    /**
     * One direction per feature of {@code pipeline} (+1, -1 or 0): a numeric column's value feature gets its
     * column's direction, everything else 0. Columns the pipeline does not read (dropped as empty) are skipped.
     *
     * @throws IllegalArgumentException for a constraint on a categorical or datetime column, which
     *                                  {@link ConstraintsCheck#checkColumns} refuses before training
     */
    public static int[] featureSigns(Map<String, Integer> byColumn, FeaturePipeline pipeline) {
        int[] signs = new int[pipeline.width()];
        int offset = 0;
        for (FeatureTransform t : pipeline.transforms()) {
            Integer sign = byColumn.get(t.column());
            if (sign != null) {
                if (!(t instanceof FeatureTransform.Numeric)) {
                    throw new IllegalArgumentException("monotone constraint on '" + t.column()
                            + "', which is not a numeric column");
                }
                signs[offset] = sign; // the value feature comes first, the missing indicator (if any) after it
            }
            offset += t.outputNames().size();
        }
        return signs;
    }

    /** XGBoost's {@code monotone_constraints} parameter over the pipeline's features: {@code "(0,1,-1,0)"}. */
    public static String xgboostConstraints(Map<String, Integer> byColumn, FeaturePipeline pipeline) {
        return xgboostConstraints(featureSigns(byColumn, pipeline));
    }

    static String xgboostConstraints(int[] signs) {
        StringBuilder s = new StringBuilder("(");
        for (int j = 0; j < signs.length; j++) {
            s.append(j == 0 ? "" : ",").append(signs[j]);
        }
        return s.append(')').toString();
    }

    /** The constrained columns the pipeline does not read (dropped, for example, as every value missing). */
    public static List<String> unused(Map<String, Integer> byColumn, FeaturePipeline pipeline) {
        List<String> unused = new ArrayList<>();
        for (String column : byColumn.keySet()) {
            if (!pipeline.inputColumns().contains(column)) {
                unused.add(column);
            }
        }
        return unused;
    }

    /**
     * {@code trainer} made to honour the constraints on {@code pipeline}'s features (the pipeline fitted for it):
     * gbdt and forest with {@code monotone_constraints} added to their XGBoost parameters, linear wrapped in
     * {@link MonotoneLinearTrainer}, the baseline as it is. Without constraints, the trainer as it is.
     *
     * @throws IllegalArgumentException for a trainer that cannot honour them (the single tree): drop it first
     *                                  ({@link #honours})
     */
    public static Trainer honouring(Trainer trainer, Map<String, Integer> byColumn, FeaturePipeline pipeline) {
        if (byColumn.isEmpty()) {
            return trainer;
        }
        int[] signs = featureSigns(byColumn, pipeline);
        if (trainer instanceof BaselineTrainer) {
            return trainer;
        }
        if (trainer instanceof GbdtTrainer g) {
            return new GbdtTrainer(g.maxDepth(), g.learningRate(), g.maxRounds(), g.earlyStoppingRounds(), g.threads(),
                    with(g.extraParams(), signs));
        }
        if (trainer instanceof ForestTrainer f) {
            return new ForestTrainer(f.numTrees(), f.maxDepth(), f.subsample(), f.colsampleByNode(), f.threads(),
                    with(f.extraParams(), signs));
        }
        if (trainer instanceof LinearTrainer l) {
            return new MonotoneLinearTrainer(l, signs);
        }
        throw new IllegalArgumentException(trainer.name() + " cannot honour monotone constraints");
    }

    private static Map<String, Object> with(Map<String, Object> extra, int[] signs) {
        Map<String, Object> params = new LinkedHashMap<>(extra);
        params.put("monotone_constraints", xgboostConstraints(signs));
        return params;
    }
}
