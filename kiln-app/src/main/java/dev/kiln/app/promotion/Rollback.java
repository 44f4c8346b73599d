package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.ModelEvent;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.RegisteredModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moving an alias back to the version it pointed at before its current one, as the registry's history records it.
 * The safe direction: the previous holder already served under the alias, so the gates are not re-run (no
 * {@code --force} even when it scores worse than the current one); the move is recorded like any other, with its
 * reason, its actor and {@code rollback: true}.
 */
public final class Rollback {
    private Rollback() {
    }

    public record Outcome(String model, String alias, int from, int to, String reason) {
    }

    public static Outcome run(ModelRegistry registry, String model, String alias, String reason, String actor) {
        RegisteredModel m = Promotion.requireModel(registry, model);
        Integer current = m.aliases().get(alias);
        if (current == null) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + model + "' has no alias '" + alias
                    + "' to roll back (aliases: " + (m.aliases().isEmpty() ? "none" : aliases(m.aliases())) + ")",
                    Map.of("model", model, "alias", alias));
        }
        int previous = previousHolder(registry.history(model), alias, current).orElseThrow(() -> new KilnException(
                ErrorCode.CONFLICT, model + "@" + alias + " has no previous holder to roll back to: version " + current
                        + " is the first it pointed at (since it was last set or removed); move it with kiln models alias",
                Map.of("model", model, "alias", alias, "version", current)));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rollback", true);
        registry.setAlias(model, alias, previous, actor, reason, details);
        return new Outcome(model, alias, current, previous, reason);
    }

    /**
     * The version {@code alias} held before {@code current}: walking its moves newest first, the first
     * {@code from} that differs from {@code current} (re-setting the same version is not a move). None when the
     * alias was created at {@code current}, or removed and set again since.
     */
    static Optional<Integer> previousHolder(List<ModelEvent> history, String alias, int current) {
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelEvent e = history.get(i);
            if (!alias.equals(e.alias())) {
                continue;
            }
            if (e.type().equals("alias_removed")) {
                return Optional.empty();
            }
            if (e.type().equals("alias_set")) {
                Object from = e.details() == null ? null : e.details().get("from");
                if (!(from instanceof Number n)) {
                    return Optional.empty();
                }
                if (n.intValue() != current) {
                    return Optional.of(n.intValue());
                }
            }
        }
        return Optional.empty();
    }

    private static String aliases(Map<String, Integer> aliases) {
        return aliases.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
    }
}
