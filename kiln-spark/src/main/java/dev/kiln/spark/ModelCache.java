package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models loaded in this JVM (a driver, an executor), by bundle path and checksum: a bundle is read, verified and
 * parsed once per executor, not per task, partition or row. {@link KilnModel} is thread-safe, so the tasks an executor
 * runs at once share one. The few most recently used are kept: a long-lived session that scores with many bundles does
 * not keep them all.
 */
final class ModelCache {
    static final int CAPACITY = 8;

    private static final Map<String, KilnModel> MODELS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KilnModel> eldest) {
            return size() > CAPACITY;
        }
    };
    /** How many bundles this JVM has loaded: what the tests check "once per executor" with. */
    private static long loads;

    private ModelCache() {
    }

    /** The model of {@code key}, loaded by {@code load} when this JVM has not got it (one load at a time). */
    static synchronized KilnModel get(String key, Supplier<KilnModel> load) {
        KilnModel model = MODELS.get(key);
        if (model == null) {
            model = load.get();
            loads++;
            MODELS.put(key, model);
        }
        return model;
    }

    /** On an executor: the driver's model from the broadcast bundle, unpacked to a temporary copy and loaded once. */
    static KilnModel fromBroadcast(String key, Supplier<byte[]> zip) {
        return get(key, () -> {
            Path copy = BundleBytes.unpack(zip.get());
            try {
                return KilnModel.load(copy);
            } finally {
                BundleBytes.delete(copy);
            }
        });
    }

    static synchronized long loads() {
        return loads;
    }
}
