package dev.kiln.store;

import java.time.Instant;

/** An experiment with how many runs it has and when the newest started ({@code lastRunAt} null without runs). */
public record ExperimentSummary(long id, String name, Instant createdAt, long runs, Instant lastRunAt) {
}
