package dev.kiln.app.lifecycle;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model named on the command line: a bundle directory, or a registry reference ({@code NAME},
 * {@code NAME@ALIAS}, {@code NAME:VERSION}). {@code registryName} and {@code version} are null for a directory.
 */
public record ModelSource(String reference, KilnModel model, Path bundle, String registryName, Integer version) {

    public static boolean looksLikePath(String ref) {
        return Files.isDirectory(Path.of(ref)) || ref.contains("/") || ref.contains(java.io.File.separator);
    }

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
}
