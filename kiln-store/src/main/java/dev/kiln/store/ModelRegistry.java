package dev.kiln.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registered models, immutable versions, moving aliases and the event log. Every change appends an event
 * in the same transaction as the change itself.
 */
public interface ModelRegistry {
    /**
     * Verifies the bundle, copies it into the artifact store (content-addressed, atomically) and records
     * the next version of {@code model} (created if new). Versions are gap-free and unique under
     * concurrent registrations from many threads or processes.
     */
    ModelVersion register(String model, Path bundleDirectory, String sourceRunId, String actor, String reason);

    List<RegisteredModel> models();

    Optional<RegisteredModel> model(String name);

    /** When each model last changed: the time of its latest event, by model name (one indexed query for every model). */
    Map<String, java.time.Instant> lastChanged();

    List<ModelVersion> versions(String model);

    /**
     * One page of a model's versions, newest first: at most {@code limit} versions numbered below {@code before}
     * (null: from the latest). Keyset paging on the primary key, so a page costs the same at version 10 and 10,000.
     * NOT_FOUND when there is no such model.
     */
    List<ModelVersion> versionsNewestFirst(String model, int limit, Integer before);

    /**
     * The versions, of every model, whose source run is one of {@code runIds} (unknown ids match nothing), by model then
     * version: what a run made.
     */
    List<ModelVersion> versionsFromRuns(java.util.Collection<String> runIds);

    /** NOT_FOUND naming the model or version when absent. */
    ModelVersion version(String model, int version);

    /** Resolves NAME, NAME@ALIAS or NAME:VERSION; NOT_FOUND naming what is missing. */
    ModelVersion resolve(ModelRef ref);

    /** Points {@code alias} at {@code version}; records the previous holder in the event. */
    void setAlias(String model, String alias, int version, String actor, String reason, Map<String, Object> details);

    void removeAlias(String model, String alias, String actor, String reason);

    /**
     * Sets ({@code value} non-null) or removes ({@code value} null) a model tag. The {@code tag_set} event holds
     * {@code key}, {@code value} or {@code removed: true}, {@code from} (the previous value, absent when there was
     * none), {@code governs_promotion: true} for a {@link GoverningTags governing tag}, and the reason.
     */
    void setTag(String model, String key, String value, String actor, String reason);

    default void setTag(String model, String key, String value, String actor) {
        setTag(model, key, value, actor, null);
    }

    void setDescription(String model, String description, String actor);

    /**
     * Appends an event that records evidence or a step of an automated process (a rollout's shadow comparison, a
     * canary step, a refusal) without changing the model: {@code type} is lower-case letters, digits and
     * underscores, and none of the types the methods above write ({@link #CORE_EVENT_TYPES}), which could
     * otherwise be forged. {@code version} (nullable) must exist when given. Returns the event as stored.
     */
    ModelEvent recordEvent(String model, String type, Integer version, String alias, String actor, String reason,
                           Map<String, Object> details);

    /** Event types only the registry's own changes write. */
    java.util.Set<String> CORE_EVENT_TYPES = java.util.Set.of("model_created", "version_registered", "alias_set",
            "alias_removed", "tag_set", "description_set");

    /** Oldest first. */
    List<ModelEvent> history(String model);

    /**
     * The model's {@code alias_set} and {@code alias_removed} events, oldest first: the alias timeline without
     * reading the rest of a long history (registrations, tags, rollout steps). NOT_FOUND when there is no such model.
     */
    List<ModelEvent> aliasHistory(String model);

    /** The bundle directory of a version inside the artifact store, after verifying its checksums. */
    Path bundlePath(ModelVersion version);
}
