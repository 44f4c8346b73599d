package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.train.constraints.CandidateFacts;
import dev.kiln.train.constraints.ConstrainedChoice;
import dev.kiln.train.constraints.ParetoFront;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.CostMatrix;
import dev.kiln.train.eval.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Chooses among the candidates and reports them: each one's latency and size measured as it would ship, the Pareto
 * front of validation metric, p99 latency and size, the best candidate that meets every constraint (by its out-of-fold
 * validation metric; the baseline only when it is alone), and then, once, every candidate on the test rows.
 */
final class TestEvaluation {
    private TestEvaluation() {
    }

    /** The chosen candidate, its manifest and decision threshold, the leaderboard, the confusion matrix and costs. */
    record Result(Fitted chosen, BundleManifest chosenManifest, double threshold, List<TrainingReport.Candidate> leaderboard,
                  long[][] confusion, TrainingReport.Business business) {
    }

    static Result run(TrainOptions options, Target target, List<Fitted> fitted, Map<String, Map<String, Double>> validation,
                      TrainingRows rows, Lineage lineage, String metric, WarmStartParent parent) {
        Task task = target.task();
        boolean higherIsBetter = !Metrics.lowerIsBetter(metric);
        Fitted baseline = fitted.get(0);
        List<CandidateFacts> facts = new ArrayList<>();
        List<double[]> latencies = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        DataFrame latencyRows = rows.latencyRows();
        for (Fitted f : fitted) {
            BundleManifest probe = Training.manifest(options, task, target, f, 0.5, validation.get(f.algorithm()), Map.of(),
                    lineage, metric, Map.of());
            KilnModel model = KilnModel.of(new Bundle(null, probe, f.enc().fit().pipeline(), f.model().estimator(), null,
                    null, f.calibration()));
            double[] latency = ChosenModelAnalyses.latencyMicros(model, latencyRows);
            long size = BundleWriter.sizeInBytes(f.enc().fit().pipeline(), f.model().estimator());
            latencies.add(latency);
            sizes.add(size);
            facts.add(CandidateFacts.of(f.algorithm(), validation.get(f.algorithm()).getOrDefault(metric, Double.NaN),
                    higherIsBetter, latency[1], size, f.trainSeconds(), f.model().hyperparameters(), options.constraints()));
        }
        boolean[] front = ParetoFront.mark(facts);
        ConstrainedChoice.Choice choice = ConstrainedChoice.choose(facts, options.constraints(), 0);
        Fitted chosen = fitted.get(choice.chosen());

        TrainingReport.Business business = business(options, task, chosen, baseline, rows);
        double threshold = business != null ? business.threshold()
                : parent != null && parent.decisionThreshold() != null ? parent.decisionThreshold() : 0.5;
        List<TrainingReport.Candidate> leaderboard = new ArrayList<>();
        Map<String, Double> baselineTest = null;
        long[][] confusion = null;
        BundleManifest chosenManifest = null;
        for (int i = 0; i < fitted.size(); i++) {
            Fitted f = fitted.get(i);
            // Every candidate is compared at the same 0.5 threshold; the chosen model's own decision threshold
            // (cost-minimising when a cost matrix is given) shows in the confusion matrix and business view.
            double[][] out = f.testOutputs();
            Map<String, Double> test = Metrics.of(task, rows.yTest(), out, 0.5);
            if (task == Task.BINARY && options.costMatrix() != null) {
                test.put(BusinessCost.COST_PER_1000, costPer1000(options.costMatrix(), f, f == chosen ? threshold : null, rows));
            }
            if (f == baseline) {
                baselineTest = test;
            }
            Map<String, Object> baselineMetrics = Map.of("validation", validation.get(baseline.algorithm()), "test", baselineTest);
            BundleManifest manifest = Training.manifest(options, task, target, f, f == chosen ? threshold : 0.5,
                    validation.get(f.algorithm()), test, lineage, metric, baselineMetrics);
            leaderboard.add(new TrainingReport.Candidate(f.algorithm(), validation.get(f.algorithm()), test, f.trainSeconds(),
                    latencies.get(i)[0], latencies.get(i)[1], sizes.get(i), f.model().hyperparameters(), f == chosen,
                    front[i], facts.get(i).interpretable(), choice.violations().get(i)));
            if (f == chosen) {
                chosenManifest = manifest;
                if (task.isClassification()) {
                    confusion = confusion(task, out, rows.yTest(), threshold, target.classes().size());
                }
            }
        }
        return new Result(chosen, chosenManifest, threshold, leaderboard, confusion, business);
    }

    /**
     * With a cost matrix (binary only): the cost-minimising threshold on the chosen model's out-of-fold probabilities
     * (calibrated, as it will serve) and its cost on the test rows, beside the baseline's.
     */
    private static TrainingReport.Business business(TrainOptions options, Task task, Fitted chosen, Fitted baseline,
                                                    TrainingRows rows) {
        if (task != Task.BINARY || options.costMatrix() == null) {
            return null;
        }
        CostMatrix cost = options.costMatrix();
        double threshold = bestThreshold(chosen, rows, cost);
        double baseThreshold = bestThreshold(baseline, rows, cost);
        int[] yTest = Training.labels(rows.yTest());
        double[] pTest = probabilities(chosen.testOutputs());
        return new TrainingReport.Business(cost.falsePositive(), cost.falseNegative(), threshold,
                1000 * BusinessCost.expectedCost(yTest, pTest, threshold, cost), baseThreshold,
                1000 * BusinessCost.expectedCost(yTest, probabilities(baseline.testOutputs()), baseThreshold, cost),
                1000 * BusinessCost.expectedCost(yTest, pTest, 0.5, cost));
    }

    /** The cost-minimising threshold on the candidate's out-of-fold probabilities, calibrated as it serves. */
    private static double bestThreshold(Fitted f, TrainingRows rows, CostMatrix cost) {
        double[][] oof = Calibrated.outputs(f.calibration(), f.coveredOof());
        int[] y = Training.labels(Calibrated.select(rows.y(), f.covered()));
        return BusinessCost.bestThreshold(y, probabilities(oof), cost).threshold();
    }

    /**
     * Expected cost per 1,000 test rows at the candidate's decision threshold: the chosen one's, or for the others the
     * one they would have had (cost-minimising on their out-of-fold rows), so every candidate and the baseline are
     * compared at their best, as the business view compares the chosen model with the baseline.
     */
    private static double costPer1000(CostMatrix cost, Fitted f, Double threshold, TrainingRows rows) {
        double t = threshold != null ? threshold : bestThreshold(f, rows, cost);
        return BusinessCost.per1000(Training.labels(rows.yTest()), probabilities(f.testOutputs()), t, cost);
    }

    private static double[] probabilities(double[][] out) {
        return Arrays.stream(out).mapToDouble(o -> o[0]).toArray();
    }

    private static long[][] confusion(Task task, double[][] out, double[] y, double threshold, int k) {
        int[] predicted = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            predicted[i] = task == Task.BINARY ? (out[i][0] >= threshold ? 1 : 0) : Training.argMax(out[i]);
        }
        return Metrics.confusion(Training.labels(y), predicted, k);
    }
}
