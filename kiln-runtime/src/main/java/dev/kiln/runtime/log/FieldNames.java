package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.kiln.runtime.schema.Field;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Each model's column names and class labels as JSON, escaped once instead of on every row (writer thread only).
 * Keyed by identity: {@code KilnModel.requiredFields()} hands out one list per model, and its predictions carry
 * its own label strings. Bounded, as models are loaded and unloaded.
 */
public final class FieldNames {
    private static final int MAX_MODELS = 1024;
    private static final int MAX_LABELS = 4096;
    private final IdentityHashMap<List<Field>, SerializableString[]> byFields = new IdentityHashMap<>();
    private final IdentityHashMap<String, SerializableString> labels = new IdentityHashMap<>();

    SerializableString label(String label) {
        SerializableString encoded = labels.get(label);
        if (encoded == null) {
            if (labels.size() >= MAX_LABELS) {
                labels.clear();
            }
            encoded = new SerializedString(label);
            labels.put(label, encoded);
        }
        return encoded;
    }

    SerializableString[] of(List<Field> fields) {
        SerializableString[] encoded = byFields.get(fields);
        if (encoded == null) {
            if (byFields.size() >= MAX_MODELS) {
                byFields.clear();
            }
            encoded = new SerializableString[fields.size()];
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = new SerializedString(fields.get(i).name());
            }
            byFields.put(fields, encoded);
        }
        return encoded;
    }
}
