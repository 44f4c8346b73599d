package dev.kiln.store;

import java.time.Instant;

/** A named group of runs. */
public record Experiment(long id, String name, Instant createdAt) {
}
