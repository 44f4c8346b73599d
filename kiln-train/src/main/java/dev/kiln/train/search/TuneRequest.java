package dev.kiln.train.search;

import dev.kiln.runtime.Task;
import dev.kiln.train.Trainer;
import dev.kiln.train.validation.ValidationPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What {@link Tuner#tune} searches.
 *
 * @param algorithm    baseline, linear, tree, forest or gbdt
 * @param space        the (possibly narrowed) spaces
 * @param x            every training row, encoded by the feature pipeline
 * @param y            class index or target of each training row
 * @param task         the task
 * @param numClasses   classes (0 or 1 for regression)
 * @param featureNames the encoded features' names
 * @param plan         the validation folds, as indices into {@code x}
 * @param metric       roc_auc, log_loss or rmse (any {@code Metrics.of} key); {@code Metrics.lowerIsBetter} decides
 *                     the direction
 * @param budget       no trial starts once this much time has passed (the default configuration always completes)
 * @param seed         seeds the sampling and every fit
 * @param nanoTime     the clock ({@code System::nanoTime}; tests inject one)
 * @param listener     told of each trial
 * @param threads      threads for gbdt and forest fits (0: all processors)
 * @param candidates   configurations to sample, the default included; 0 = 3^rungs (27 for 5 folds)
 * @param trainers     builds a trial's trainer: {@code ConfiguredTrainers::of} (tests inject failures)
 */
public record TuneRequest(String algorithm, SearchSpace space, double[][] x, double[] y, Task task, int numClasses,
                          List<String> featureNames, ValidationPlan plan, String metric, Duration budget, long seed,
                          LongSupplier nanoTime, TrialListener listener, int threads, int candidates,
                          TrainerFactory trainers) {
    /** Builds the trainer for a configuration. */
    @FunctionalInterface
    public interface TrainerFactory {
        Trainer of(String algorithm, Map<String, Object> config, int threads);
    }

    /** The usual request: the system clock, Kiln's trainers, 3^rungs candidates. */
    public static TuneRequest of(String algorithm, SearchSpace space, double[][] x, double[] y, Task task,
                                 int numClasses, List<String> featureNames, ValidationPlan plan, String metric,
                                 Duration budget, long seed, TrialListener listener, int threads) {
        return new TuneRequest(algorithm, space, x, y, task, numClasses, featureNames, plan, metric, budget, seed,
                System::nanoTime, listener, threads, 0, ConfiguredTrainers::of);
    }
}
