package dev.kiln.app.lifecycle;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.store.ModelSource;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.WarmStart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model a warm start continues, named as on the command line: a registry reference ({@code credit@production},
 * {@code credit:3}; the lineage then names it {@code credit:3}) or a bundle directory (named by its path).
 */
public final class WarmStartSource {
    private WarmStartSource() {
    }

    /** {@code ref} resolved: through the registry unless it names a bundle directory. */
    public static WarmStart resolve(String ref, KilnStore store) {
        if (ref == null || ref.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--warm-start-from needs a model: NAME@ALIAS, NAME:VERSION "
                    + "or a bundle directory", Map.of("option", "--warm-start-from"));
        }
        if (ModelSource.looksLikePath(ref)) {
            Path dir = Path.of(ref).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve(BundleManifest.MANIFEST_FILE))) {
                throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "--warm-start-from '" + ref + "' is not a bundle "
                        + "directory (no " + BundleManifest.MANIFEST_FILE + ")", Map.of("bundle", ref));
            }
            return new WarmStart(dir, dir.toString());
        }
        return of(store, store.registry().resolve(ModelRef.parse(ref)));
    }

    /** A registered version as the parent, named {@code NAME:VERSION}. */
    public static WarmStart of(KilnStore store, ModelVersion version) {
        return new WarmStart(store.registry().bundlePath(version), version.model() + ":" + version.version());
    }
}
