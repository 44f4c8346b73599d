package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import java.util.Map;

/** Whether a model may stand in for another under one name: as its canary, its shadow or a bandit arm. */
final class Compatibility {
    private Compatibility() {
    }

    /**
     * Refuses a canary (or shadow: {@code role}) that the model's clients could not call as they call the model:
     * another task or other classes (the answers would change shape, and could not be compared), or an input
     * column the model does not read or reads as another type (requests that suit the model would fail on it).
     */
    static void check(String role, String name, KilnModel served, KilnModel canary, String version) {
        String prefix = "version " + version + " cannot be the " + role + " of model '" + name + "': ";
        if (served.task() != canary.task()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, prefix + "it is a " + canary.task() + " model, the model is "
                    + served.task(), Map.of("model", name, "version", version));
        }
        if (!new java.util.HashSet<>(served.classes()).equals(new java.util.HashSet<>(canary.classes()))) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, prefix + "its classes " + canary.classes() + " differ from the model's "
                    + served.classes(), Map.of("model", name, "version", version));
        }
        Map<String, dev.kiln.runtime.schema.ColumnType> types = new java.util.HashMap<>();
        for (dev.kiln.runtime.schema.Field f : served.requiredFields()) {
            types.put(f.name(), f.type());
        }
        for (dev.kiln.runtime.schema.Field f : canary.requiredFields()) {
            dev.kiln.runtime.schema.ColumnType t = types.get(f.name());
            if (t == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, prefix + "it reads column '" + f.name()
                        + "', which the model's requests need not carry", Map.of("model", name, "version", version, "column", f.name()));
            }
            if (t != f.type()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, prefix + "it reads column '" + f.name() + "' as " + f.type()
                        + ", the model as " + t, Map.of("model", name, "version", version, "column", f.name()));
            }
        }
    }
}
