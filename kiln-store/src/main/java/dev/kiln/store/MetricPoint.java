package dev.kiln.store;

import java.time.Instant;

/** One logged value of a metric; a metric is a series over steps. */
public record MetricPoint(String key, double value, long step, Instant timestamp) {
}
