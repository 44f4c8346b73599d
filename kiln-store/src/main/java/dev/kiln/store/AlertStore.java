package dev.kiln.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where monitoring alerts live, with their evidence. One open alert per model and rule at most. */
public interface AlertStore {
    /** What {@link #fire} did: opened a new alert, or updated the one already open. */
    record Fired(Alert alert, boolean opened) {
    }

    /**
     * Records that {@code rule} fired for {@code model}: opens an alert, or updates the open one (evidence,
     * message, version, last seen, times seen) in the same transaction.
     */
    Fired fire(String model, Integer version, String rule, String kind, String severity, String message,
               Map<String, Object> evidence, Instant at);

    /** Resolves the open alert of {@code rule} for {@code model}, if there is one, and returns it. */
    Optional<Alert> resolve(String model, String rule, Instant at);

    /**
     * A person resolves open alert {@code id}: {@code actor} and {@code reason} are recorded with it. Not found
     * ({@code model_not_found}, as reading an unknown alert) when there is no such alert; {@code conflict} when it
     * is already resolved (naming when and by whom); {@code invalid_argument} for a blank reason or actor.
     */
    Alert resolve(long id, String actor, String reason, Instant at);

    /** Alerts, newest first; {@code model} null for all models, {@code openOnly} to leave resolved ones out. */
    List<Alert> list(String model, boolean openOnly, int limit);

    Optional<Alert> get(long id);
}
