package dev.kiln.train;

import java.time.Duration;

/**
 * How a training run searches and validates its candidates.
 *
 * @param budget      wall time for the hyperparameter search across every algorithm; null: a default that grows with the
 *                    data ({@code kiln train --budget}); zero: no search, each algorithm's defaults only
 * @param space       narrows the search spaces, e.g. {@code gbdt.max_depth=3..6,linear.l2=0.01..1}; null: the full spaces
 * @param groupColumn rows sharing a value of this column are never split across fit and validation; null: none
 * @param folds       cross-validation folds for small data; null: the default (5)
 */
public record Tuning(Duration budget, String space, String groupColumn, Integer folds) {
    public static final Tuning DEFAULTS = new Tuning(null, null, null, null);
}
