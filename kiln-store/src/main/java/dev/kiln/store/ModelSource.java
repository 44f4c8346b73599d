package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.BundleManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model named on the command line: a bundle directory, or a registry reference ({@code NAME},
 * {@code NAME@ALIAS}, {@code NAME:VERSION}) resolved to its bundle through the store's registry. Every command that
 * takes a model reference resolves it here, on one machine ({@code kiln predict}, kiln-app) and on Spark
 * ({@code kiln spark predict}, kiln-spark) alike. {@code registryName} and {@code version} are null for a directory.
 */
public record ModelSource(String reference, KilnModel model, Path bundle, String registryName, Integer version) {

    public static boolean looksLikePath(String ref) {
        return Files.isDirectory(Path.of(ref)) || ref.contains("/") || ref.contains(java.io.File.separator);
    }

    /** {@code ref} as a bundle directory when it looks like a path, else through the registry of {@code store}'s store. */
    public static ModelSource load(String ref, StoreOptions store) {
        if (looksLikePath(ref)) {
            Path dir = Path.of(ref).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve(BundleManifest.MANIFEST_FILE))) {
                throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "'" + ref + "' is not a bundle directory (no "
                        + BundleManifest.MANIFEST_FILE + ")", Map.of("bundle", ref));
            }
            return new ModelSource(ref, KilnModel.load(dir), dir, null, null);
        }
        try (KilnStore s = store.open()) {
            return load(ref, s);
        }
    }

    public static ModelSource load(String ref, KilnStore s) {
        ModelVersion v = s.registry().resolve(ModelRef.parse(ref));
        Path bundle = s.registry().bundlePath(v);
        return new ModelSource(ref, KilnModel.load(bundle), bundle, v.model(), v.version());
    }

    public String describe() {
        return registryName != null ? registryName + ":" + version : bundle.toString();
    }

    /** What was loaded, as reports show it: the reference, the name and version when registered, the bundle, the algorithm. */
    public Map<String, Object> described() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("reference", reference);
        if (registryName != null) {
            described.put("name", registryName);
            described.put("version", version);
        }
        described.put("bundle", bundle.toString());
        described.put("algorithm", model.manifest().algorithm());
        return described;
    }
}
