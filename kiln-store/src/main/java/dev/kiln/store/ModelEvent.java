package dev.kiln.store;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of the registry's append-only event log: who did what, when and why. {@code type} is one of
 * {@code model_created, version_registered, alias_set, alias_removed, tag_set, description_set}, or a type
 * recorded through {@link ModelRegistry#recordEvent} (evidence and steps of automated processes, e.g. {@code rollout_step}).
 * For alias moves, {@code details} holds {@code from} (the previous version, absent for a new alias)
 * and, when gates were overridden, {@code forced: true}; a move back by {@code kiln models rollback} has
 * {@code rollback: true}. For tag changes, {@code details} holds {@code key},
 * {@code value} (or {@code removed: true}), {@code from} (the previous value, absent for a new tag) and, for a tag
 * that governs promotion ({@link GoverningTags}), {@code governs_promotion: true}.
 */
public record ModelEvent(long id, String model, String type, Integer version, String alias, String actor,
                         String reason, Instant at, Map<String, Object> details) {
}
