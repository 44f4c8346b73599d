package dev.kiln.store;

/** A file or directory logged to a run, stored content-addressed under the Kiln home. */
public record Artifact(String runId, String name, String sha256, long sizeBytes, String kind) {
}
