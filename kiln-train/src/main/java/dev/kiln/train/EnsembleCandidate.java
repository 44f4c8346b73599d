package dev.kiln.train;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.EnsembleEstimator;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.train.ensemble.EnsembleFitter;
import dev.kiln.train.ensemble.EnsemblePipeline;
import dev.kiln.train.ensemble.LinearRescaling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The ensemble of the other candidates as a candidate of its own: Caruana's greedy selection
 * ({@link EnsembleFitter}) over the members' out-of-fold margins, the members being the refitted models, blended in
 * margin space on the unscaled pipeline (a linear member's scaling folded into its weights).
 *
 * <p>Its out-of-fold outputs, on which it is compared with the others, must not come from weights chosen on those same
 * rows (that would flatter it), so they are cross-validated once more: the weights are chosen on four fifths of the
 * out-of-fold rows and blend the fifth, in turn; the shipped weights are then chosen on all of them.
 */
final class EnsembleCandidate {
    static final String NAME = "ensemble";
    private static final int FOLDS = 5;

    private EnsembleCandidate() {
    }

    /**
     * The ensemble, or null when fewer than two candidates can be members. Members read the plain pipeline (a linear
     * model's standardisation folded into its weights); a member on another pipeline (native category codes) reads
     * a merged pipeline through its input map ({@link EnsemblePipeline}).
     */
    static Fitted of(List<Fitted> fitted, Task task, int classes, TrainingRows rows, long seed) {
        Link link = link(task);
        Encoded base = null;
        for (Fitted f : fitted) {
            if (!f.algorithm().equals("baseline") && f.tune() != null && f.model().estimator().link() == link
                    && !(f.model().estimator() instanceof LinearEstimator)
                    && FeaturePipelineFitter.categoricalFeatures(f.enc().fit().pipeline()) == null) {
                base = f.enc();
                break;
            }
        }
        if (base == null) {
            return null;
        }
        List<Fitted> members = new ArrayList<>();
        List<Estimator> estimators = new ArrayList<>();
        List<Encoded> encodings = new ArrayList<>();
        for (Fitted f : fitted) {
            if (f.algorithm().equals("baseline") || f.tune() == null || f.model().estimator().link() != link) {
                continue;
            }
            Estimator e = f.model().estimator();
            Encoded enc = f.enc();
            if (enc != base && e instanceof LinearEstimator linear) {
                e = LinearRescaling.toUnscaled(linear, enc.fit().pipeline(), base.fit().pipeline());
                enc = base;
            }
            members.add(f);
            estimators.add(e);
            encodings.add(enc);
        }
        if (members.size() < 2) {
            return null;
        }
        List<Encoded> distinct = new ArrayList<>(List.of(base));
        for (Encoded enc : encodings) {
            if (!distinct.contains(enc)) {
                distinct.add(enc);
            }
        }
        Encoded ensembleEncoding = base;
        List<int[]> inputs = null;
        if (distinct.size() > 1) {
            EnsemblePipeline merged = EnsemblePipeline.merge(distinct.stream().map(d -> d.fit().pipeline()).toList());
            FeaturePipelineFitter.Result result = new FeaturePipelineFitter.Result(merged.pipeline(),
                    base.fit().inputSchema(), base.fit().notes());
            ensembleEncoding = new Encoded(result, FeaturePipelineFitter.encode(merged.pipeline(), rows.frame(),
                    rows.trainingIndex()), FeaturePipelineFitter.encode(merged.pipeline(), rows.frame(), rows.testIndex()));
            inputs = new ArrayList<>();
            for (Encoded enc : encodings) {
                inputs.add(merged.inputs().get(distinct.indexOf(enc)));
            }
        }
        double[] y = rows.y();
        boolean[] covered = members.get(0).covered().clone();
        for (Fitted m : members) {
            for (int i = 0; i < covered.length; i++) {
                covered[i] &= m.covered()[i];
            }
        }
        double[] yCovered = Calibrated.select(y, covered);
        List<double[][]> margins = new ArrayList<>();
        for (Fitted m : members) {
            margins.add(margins(task, Calibrated.select(m.oof(), covered)));
        }
        long start = System.nanoTime();
        double[][] honest = crossValidated(task, classes, margins, yCovered, seed);
        EnsembleFitter.Result weights = EnsembleFitter.fit(task, classes, margins, yCovered);
        EnsembleEstimator estimator = EnsembleFitter.estimator(ensembleEncoding.fit().pipeline().width(), estimators, inputs,
                weights.weights());
        double[][] oof = new double[covered.length][0];
        for (int i = 0, j = 0; i < covered.length; i++) {
            if (covered[i]) {
                oof[i] = honest[j++];
            }
        }
        Map<String, Object> hyper = new LinkedHashMap<>();
        Map<String, Object> byMember = new LinkedHashMap<>();
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int m = 0; m < members.size(); m++) {
            if (weights.weights()[m] > 0) {
                byMember.put(members.get(m).algorithm(), weights.weights()[m]);
                seconds += members.get(m).trainSeconds();
            }
        }
        hyper.put("members", byMember);
        hyper.put("selection", "Caruana et al. 2004, greedy with replacement, " + weights.rounds() + " rounds");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("notes", weights.notes());
        TrainedModel model = new TrainedModel(estimator, hyper, info);
        return new Fitted(NAME, model, ensembleEncoding, seconds, oof, covered, null, weights.notes());
    }

    private static Link link(Task task) {
        return switch (task) {
            case BINARY -> Link.LOGISTIC;
            case MULTICLASS -> Link.SOFTMAX;
            case REGRESSION -> Link.IDENTITY;
        };
    }

    /**
     * Margins from outputs: logit for binary, log-probabilities for multiclass (the softmax of a margin shifted by a
     * constant per row is the same, so these blend as the members' own margins would), values for regression.
     */
    static double[][] margins(Task task, double[][] outputs) {
        double[][] m = new double[outputs.length][];
        for (int i = 0; i < outputs.length; i++) {
            m[i] = new double[outputs[i].length];
            for (int k = 0; k < outputs[i].length; k++) {
                double v = outputs[i][k];
                if (task == Task.REGRESSION) {
                    m[i][k] = v;
                } else {
                    double p = Math.min(1 - 1e-12, Math.max(1e-12, v));
                    m[i][k] = task == Task.BINARY ? Math.log(p / (1 - p)) : Math.log(p);
                }
            }
        }
        return m;
    }

    /** Each row's blend by weights chosen without it (FOLDS folds over the rows, seeded), as outputs after the link. */
    private static double[][] crossValidated(Task task, int classes, List<double[][]> margins, double[] y, long seed) {
        int n = y.length;
        int[] fold = new int[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(java.util.Arrays.asList(order), new Random(seed ^ 0x5EEDL));
        for (int i = 0; i < n; i++) {
            fold[order[i]] = i % FOLDS;
        }
        double[][] out = new double[n][];
        Link link = link(task);
        for (int f = 0; f < FOLDS; f++) {
            final int held = f;
            int[] fit = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != held).toArray();
            int[] valid = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == held).toArray();
            if (valid.length == 0 || fit.length == 0) {
                continue;
            }
            List<double[][]> fitMargins = margins.stream().map(m -> Splits.selectRows(m, fit)).toList();
            double[] w = EnsembleFitter.fit(task, classes, fitMargins, Splits.select(y, fit)).weights();
            for (int i : valid) {
                double[] blend = new double[margins.get(0)[i].length];
                for (int m = 0; m < margins.size(); m++) {
                    for (int k = 0; k < blend.length; k++) {
                        blend[k] += w[m] * margins.get(m)[i][k];
                    }
                }
                link.apply(blend);
                out[i] = blend;
            }
        }
        return out;
    }
}
