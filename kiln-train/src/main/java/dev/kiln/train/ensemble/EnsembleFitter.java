package dev.kiln.train.ensemble;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.EnsembleEstimator;
import dev.kiln.runtime.model.Estimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ensemble selection (Caruana, Niculescu-Mizil, Crew and Ksikes, "Ensemble Selection from Libraries of Models", ICML
 * 2004): greedy forward selection with replacement on held-out margins. Start from the empty ensemble; each round add
 * the member whose addition gives the lowest held-out loss of the blend (the mean of the chosen members' margins, a
 * member counted as often as it was chosen); keep the best ensemble seen; stop after {@link #PATIENCE} rounds without
 * improvement or at {@code maxRounds}. The weights are the best ensemble's counts over their total. The first pick is
 * the best single member, so the result is never worse on the held-out rows than the best single member.
 *
 * <p>The loss is that of the blended margins after the link: log loss for binary (logistic) and multiclass (softmax),
 * RMSE for regression. Ties go to the lower member index; nothing is random, so the result is deterministic.
 */
public final class EnsembleFitter {
    /** Rounds without a better ensemble after which selection stops (Caruana et al. run a fixed number; this saves time). */
    public static final int PATIENCE = 5;
    /** Rounds when the caller has no preference. */
    public static final int DEFAULT_MAX_ROUNDS = 50;
    /** Probabilities are clipped to {@code [EPS, 1 - EPS]} in the log loss, as scikit-learn's log_loss did. */
    private static final double EPS = 1e-15;

    /**
     * @param weights one per member, {@code count / rounds of the best ensemble}: non-negative, summing to 1; members
     *                never picked have weight 0 (drop them when building the estimator: see {@link #estimator})
     * @param score   the best ensemble's held-out loss (log loss or RMSE; lower is better)
     * @param rounds  the rounds run (picks made), including those after the best
     * @param notes   what the report shows: the best single member's loss, the ensemble's, and why selection stopped
     */
    public record Result(double[] weights, double score, int rounds, List<String> notes) {
    }

    private EnsembleFitter() {
    }

    /**
     * @param memberMargins per member, the held-out (out-of-fold) margins {@code [row][output]}: one output for binary
     *                      and regression, {@code numClasses} for multiclass
     * @param y             per row: the class index (binary 1 = positive) or the target value
     * @throws KilnException {@code invalid_argument} naming the parameter for no members, no rows, mismatched shapes or
     *                       {@code maxRounds < 1}
     */
    public static Result fit(Task task, int numClasses, List<double[][]> memberMargins, double[] y, int maxRounds) {
        int outputs = task == Task.MULTICLASS ? numClasses : 1;
        check(task, numClasses, memberMargins, y, maxRounds, outputs);
        int members = memberMargins.size();
        int n = y.length;
        double[][] sum = new double[n][outputs];
        int[] counts = new int[members];
        int[] bestCounts = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestRound = 0;
        int rounds = 0;
        double[] singleLoss = new double[members];
        String stop = "reached the limit of " + maxRounds + " rounds";
        for (int round = 1; round <= maxRounds; round++) {
            int pick = -1;
            double pickLoss = Double.POSITIVE_INFINITY;
            for (int i = 0; i < members; i++) {
                double loss = loss(task, sum, memberMargins.get(i), round, y);
                if (round == 1) {
                    singleLoss[i] = loss;
                }
                if (loss < pickLoss) {  // strict: ties keep the lower index; NaN never wins
                    pickLoss = loss;
                    pick = i;
                }
            }
            if (pick < 0) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                        "memberMargins: no member has a finite held-out loss (non-finite margins?)",
                        Map.of("parameter", "memberMargins"));
            }
            rounds = round;
            counts[pick]++;
            double[][] m = memberMargins.get(pick);
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < outputs; k++) {
                    sum[r][k] += m[r][k];
                }
            }
            if (pickLoss < bestLoss) {
                bestLoss = pickLoss;
                bestCounts = counts.clone();
                bestRound = round;
            } else if (round - bestRound >= PATIENCE) {
                stop = "no better ensemble in " + PATIENCE + " rounds";
                break;
            }
        }
        double[] weights = new double[members];
        for (int i = 0; i < members; i++) {
            weights[i] = (double) bestCounts[i] / bestRound;
        }
        int bestSingle = 0;
        for (int i = 1; i < members; i++) {
            if (singleLoss[i] < singleLoss[bestSingle]) {
                bestSingle = i;
            }
        }
        String metric = task == Task.REGRESSION ? "RMSE" : "log loss";
        List<String> notes = new ArrayList<>();
        notes.add("ensemble selection (Caruana et al. 2004) over " + members + " members: held-out " + metric + " "
                + fmt(bestLoss) + " with " + bestRound + " picks, against " + fmt(singleLoss[bestSingle])
                + " for the best single member (" + bestSingle + ")");
        notes.add("stopped after " + rounds + " rounds: " + stop);
        return new Result(weights, bestLoss, rounds, notes);
    }

    /** As {@link #fit} with {@link #DEFAULT_MAX_ROUNDS}. */
    public static Result fit(Task task, int numClasses, List<double[][]> memberMargins, double[] y) {
        return fit(task, numClasses, memberMargins, y, DEFAULT_MAX_ROUNDS);
    }

    /** The margins (outputs before the link) of every row of {@code x}, through the estimator's batch path. */
    public static double[][] margins(Estimator estimator, double[][] x) {
        double[][] out = new double[x.length][estimator.outputs()];
        estimator.marginsBatch(x, out);
        return out;
    }

    /**
     * The ensemble estimator for {@code weights} (from {@link #fit}): members of weight 0 are left out; {@code inputs}
     * null, or a null entry, means a member reads the whole feature vector. All members must share the link.
     */
    public static EnsembleEstimator estimator(int inputWidth, List<? extends Estimator> members, List<int[]> inputs,
                                              double[] weights) {
        if (members.isEmpty() || weights.length != members.size() || (inputs != null && inputs.size() != members.size())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "weights: " + weights.length + " weights for "
                    + members.size() + " members" + (inputs == null ? "" : " and " + inputs.size() + " input maps"),
                    Map.of("parameter", "weights"));
        }
        List<EnsembleEstimator.Member> kept = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            if (weights[i] > 0) {
                kept.add(new EnsembleEstimator.Member(weights[i], members.get(i), inputs == null ? null : inputs.get(i)));
            }
        }
        EnsembleEstimator e = new EnsembleEstimator(inputWidth, kept, kept.isEmpty() ? null : kept.get(0).estimator().link());
        try {
            e.validate(inputWidth);
        } catch (IllegalStateException ex) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "members: " + ex.getMessage(),
                    Map.of("parameter", "members"), ex);
        }
        return e;
    }

    /** The held-out loss of {@code (sum + add) / count}. */
    static double loss(Task task, double[][] sum, double[][] add, int count, double[] y) {
        int n = y.length;
        double total = 0;
        if (task == Task.REGRESSION) {
            for (int r = 0; r < n; r++) {
                double d = (sum[r][0] + add[r][0]) / count - y[r];
                total += d * d;
            }
            return Math.sqrt(total / n);
        }
        if (task == Task.BINARY) {
            for (int r = 0; r < n; r++) {
                double m = (sum[r][0] + add[r][0]) / count;
                double p = Math.min(1 - EPS, Math.max(EPS, 1 / (1 + Math.exp(-m))));
                total -= y[r] > 0.5 ? Math.log(p) : Math.log(1 - p);
            }
            return total / n;
        }
        int k = sum[0].length;
        double[] m = new double[k];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                m[j] = (sum[r][j] + add[r][j]) / count;
                max = Math.max(max, m[j]);
            }
            double z = 0;
            for (int j = 0; j < k; j++) {
                z += Math.exp(m[j] - max);
            }
            double p = Math.exp(m[(int) y[r]] - max) / z;
            total -= Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
        }
        return total / n;
    }

    private static void check(Task task, int numClasses, List<double[][]> memberMargins, double[] y, int maxRounds,
                              int outputs) {
        if (task == null) {
            throw invalid("task", "task is required");
        }
        if (maxRounds < 1) {
            throw invalid("maxRounds", "maxRounds must be at least 1, got " + maxRounds);
        }
        if (task == Task.MULTICLASS && numClasses < 2) {
            throw invalid("numClasses", "a multiclass ensemble needs numClasses >= 2, got " + numClasses);
        }
        if (memberMargins == null || memberMargins.isEmpty()) {
            throw invalid("memberMargins", "memberMargins is empty: an ensemble needs at least one member");
        }
        if (y == null || y.length == 0) {
            throw invalid("y", "no held-out rows to select an ensemble on");
        }
        for (int i = 0; i < memberMargins.size(); i++) {
            double[][] m = memberMargins.get(i);
            if (m == null || m.length != y.length) {
                throw invalid("memberMargins", "memberMargins[" + i + "] has " + (m == null ? 0 : m.length)
                        + " rows, y has " + y.length);
            }
            for (double[] row : m) {
                if (row.length != outputs) {
                    throw invalid("memberMargins", "memberMargins[" + i + "] has rows of " + row.length
                            + " margins; a " + task.wireName() + " model has " + outputs);
                }
            }
        }
        if (task == Task.MULTICLASS || task == Task.BINARY) {
            int classes = task == Task.BINARY ? 2 : numClasses;
            for (double v : y) {
                if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                    throw invalid("y", "y holds " + v + ", not a class index below " + classes);
                }
            }
        }
    }

    private static KilnException invalid(String parameter, String message) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, Map.of("parameter", parameter));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.6g", v);
    }
}
