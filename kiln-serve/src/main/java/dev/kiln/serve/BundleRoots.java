package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which bundle directories the model repository's admin routes may load: those that, once every link is resolved, lie
 * under one of the roots the server was started with ({@code --bundle-root}); none without roots. A directory named on
 * the operator's own command line may be any readable one ({@link #operatorDir}).
 */
final class BundleRoots {
    private final List<Path> roots;

    /** The roots, canonicalised; 404 {@code file_not_found} for one that does not exist. */
    BundleRoots(List<Path> given) {
        List<Path> out = new ArrayList<>();
        for (Path r : given == null ? List.<Path>of() : given) {
            try {
                out.add(r.toRealPath());
            } catch (IOException e) {
                throw new KilnException(ErrorCode.FILE_NOT_FOUND, "bundle root " + r + " does not exist: " + e.getMessage(),
                        Map.of("path", r.toString()));
            }
        }
        this.roots = List.copyOf(out);
    }

    static boolean isBundleDir(String ref) {
        try {
            return Files.isRegularFile(Path.of(ref).resolve(BundleManifest.MANIFEST_FILE));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A bundle directory named on the operator's command line: any readable one. */
    static Path operatorDir(String ref) {
        Path dir = Path.of(ref).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(BundleManifest.MANIFEST_FILE))) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "'" + ref + "' is not a bundle directory (no "
                    + BundleManifest.MANIFEST_FILE + ")", Map.of("ref", ref));
        }
        return dir;
    }

    /** The canonical bundle directory named by {@code ref}, refused unless it lies under a bundle root. */
    Path resolve(String ref) {
        if (roots.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "loading bundle directories is not enabled on this server "
                    + "(kiln serve --bundle-root DIR allows those under DIR); load a registry reference instead", Map.of("ref", ref));
        }
        Path given;
        try {
            given = Path.of(ref);
        } catch (RuntimeException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + ref + "' is not a valid path", Map.of("ref", ref));
        }
        if (!given.isAbsolute()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "bundle path '" + ref + "' must be absolute", Map.of("ref", ref));
        }
        Path real;
        try {
            real = given.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "no bundle directory at " + ref, Map.of("ref", ref));
        }
        boolean allowed = false;
        for (Path root : roots) {
            allowed |= real.startsWith(root);
        }
        if (!allowed) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "bundle path '" + ref + "' (" + real + ") is not under an allowed "
                    + "bundle root " + roots, Map.of("ref", ref));
        }
        if (!Files.isDirectory(real) || !Files.isRegularFile(real.resolve(BundleManifest.MANIFEST_FILE))) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "'" + ref + "' is not a bundle directory (no "
                    + BundleManifest.MANIFEST_FILE + ")", Map.of("ref", ref));
        }
        return real;
    }
}
