package dev.kiln.app.promotion;

import dev.kiln.store.ModelRegistry;
import dev.kiln.store.RegisteredModel;
import java.util.List;

/**
 * The gates a rollout checks before it touches the server: what {@link Promotion#moveAlias} would check for the same
 * move (thresholds from the model's tags and the policy, lift over the baseline, regression against the holder),
 * without moving anything. The move at the end goes through {@link Promotion#moveAlias} itself.
 */
final class RolloutGates {
    private RolloutGates() {
    }

    /** The gates {@link Promotion#moveAlias} would apply, without moving anything. */
    static List<Gates.Check> checks(ModelRegistry registry, RegisteredModel m, String alias, Integer from, int version,
                                    Promotion.Policy policy) {
        return Promotion.gate(registry, m, alias, from, registry.version(m.name(), version), policy).checks();
    }
}
