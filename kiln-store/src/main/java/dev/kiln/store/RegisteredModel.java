package dev.kiln.store;

import java.time.Instant;
import java.util.Map;

/** A registered model: a name that versions, aliases and tags hang on. */
public record RegisteredModel(String name, String description, Instant createdAt, int latestVersion,
                              Map<String, Integer> aliases, Map<String, String> tags) {
}
