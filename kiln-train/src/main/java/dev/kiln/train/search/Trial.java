package dev.kiln.train.search;

import java.util.List;
import java.util.Map;

/**
 * One configuration scored on one rung of successive halving.
 *
 * @param id          the configuration's number (0 = the default), stable across its rungs
 * @param rung        the rung (0 = the smallest resource)
 * @param config      the hyperparameters
 * @param resource    what it was scored on: "3 of 5 folds" or "33% of the fit rows"
 * @param foldScores  the metric on each fold scored so far (folds scored on an earlier rung are reused)
 * @param meanScore   their mean; NaN when the trial failed
 * @param seconds     time spent fitting and scoring on this rung
 * @param bestRounds  gbdt: the best round (1-based) on each fold scored; empty for other algorithms
 * @param status      completed (scored on every fold; a candidate for best), promoted (went on to the next rung),
 *                    pruned (not among the best on its rung) or failed
 * @param reason      why pruned or failed; empty otherwise
 * @param startNanos  when it started, nanoseconds after the search began (by the search's clock)
 */
public record Trial(int id, int rung, Map<String, Object> config, String resource, List<Double> foldScores,
                    double meanScore, double seconds, List<Integer> bestRounds, Status status, String reason,
                    long startNanos) {
    public enum Status {
        COMPLETED, PROMOTED, PRUNED, FAILED
    }

    public Trial {
        config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
        foldScores = List.copyOf(foldScores);
        bestRounds = List.copyOf(bestRounds);
    }

    Trial withStatus(Status newStatus, String newReason) {
        return new Trial(id, rung, config, resource, foldScores, meanScore, seconds, bestRounds, newStatus, newReason,
                startNanos);
    }
}
