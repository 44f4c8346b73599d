package dev.kiln.spark.cli;

import dev.kiln.runtime.KilnException;
import dev.kiln.store.ModelSource;
import dev.kiln.store.StoreOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/** The model a {@code kiln spark} command names: a bundle directory or a registry reference, as {@code kiln predict} takes it. */
final class Models {
    private Models() {
    }

    /**
     * {@code ref} (given as {@code option}) loaded on the driver: a bundle directory as it is, NAME, NAME@ALIAS or
     * NAME:VERSION through the registry of the store {@code store} names. Errors keep kiln predict's code (an unknown
     * model, version or alias: not found) and name the option.
     */
    static ModelSource load(String ref, StoreOptions store, String option) {
        try {
            return ModelSource.load(ref, store);
        } catch (KilnException e) {
            Map<String, Object> details = new LinkedHashMap<>(e.details());
            details.put("option", option);
            throw new KilnException(e.code(), option + ": " + e.getMessage(), details, e);
        }
    }
}
