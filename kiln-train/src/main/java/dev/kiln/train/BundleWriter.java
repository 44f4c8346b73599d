package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.FileTrees;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.profile.DatasetProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a bundle directory atomically: every file goes into a hidden sibling temp directory and is
 * checksummed, the manifest (with all checksums) is written last, then {@link AtomicFiles#publish} syncs the
 * tree, renames it into place and syncs the parent. A crash leaves either no bundle or a complete one, never a half-written one.
 */
public final class BundleWriter {
    /**
     * An optional file of a GBDT bundle: the booster in XGBoost's own JSON model format, holding exactly the
     * estimator's trees. Data only: the runtime never reads it (it verifies its checksum like every listed file);
     * training reads it to continue the model (warm start). Bundles without it load and score as before.
     */
    public static final String XGBOOST_MODEL_FILE = "xgboost_model.json";

    private BundleWriter() {
    }

    /** Serialised sizes of the parts of a bundle, without writing it. */
    public static long sizeInBytes(FeaturePipeline pipeline, Estimator estimator) {
        try {
            return Json.mapper().writeValueAsBytes(pipeline).length + Json.mapper().writeValueAsBytes(estimator).length;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot serialise bundle: " + e.getMessage());
        }
    }

    /**
     * Writes the bundle to {@code target}, which must not exist unless {@code replace} is set. The
     * manifest's {@code files} are filled in here.
     */
    public static Path write(Path target, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                             DatasetProfile profile, boolean replace) {
        return write(target, manifest, pipeline, estimator, profile, null, replace);
    }

    /** As above, with the sketches that drift monitoring compares live traffic with (null: none). */
    public static Path write(Path target, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                             DatasetProfile profile, dev.kiln.runtime.bundle.ReferenceSketch sketch, boolean replace) {
        return write(target, manifest, pipeline, estimator, profile, sketch, null, null, replace);
    }

    /**
     * As above, with a GBDT's XGBoost JSON model (null: none), written as {@link #XGBOOST_MODEL_FILE} byte for byte
     * and checksummed in the manifest like every file.
     */
    public static Path write(Path target, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                             DatasetProfile profile, dev.kiln.runtime.bundle.ReferenceSketch sketch, byte[] xgboostModel,
                             boolean replace) {
        return write(target, manifest, pipeline, estimator, profile, sketch, null, xgboostModel, replace);
    }

    /** As above, with the classifier's probability calibration (null: none). */
    public static Path write(Path target, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                             DatasetProfile profile, dev.kiln.runtime.bundle.ReferenceSketch sketch,
                             dev.kiln.runtime.bundle.Calibration calibration, boolean replace) {
        return write(target, manifest, pipeline, estimator, profile, sketch, calibration, null, replace);
    }

    /** Every optional part: sketches, calibration and the XGBoost model (each null: none). */
    public static Path write(Path target, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                             DatasetProfile profile, dev.kiln.runtime.bundle.ReferenceSketch sketch,
                             dev.kiln.runtime.bundle.Calibration calibration, byte[] xgboostModel, boolean replace) {
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        Path tmp = AtomicFiles.temporaryFor(dir);
        try {
            Files.createDirectories(parent);
            if (Files.exists(dir) && !replace) {
                throw new KilnException(ErrorCode.CONFLICT, "output directory " + dir + " already exists",
                        Map.of("path", dir.toString()));
            }
            if (Files.exists(dir) && !Files.isRegularFile(dir.resolve(BundleManifest.MANIFEST_FILE))
                    && !isEmptyDirectory(dir)) {
                throw new KilnException(ErrorCode.CONFLICT, "output directory " + dir
                        + " exists and is not a Kiln bundle; refusing to replace it", Map.of("path", dir.toString()));
            }
            Files.createDirectory(tmp);
            Map<String, String> files = new LinkedHashMap<>();
            files.put(BundleManifest.PIPELINE_FILE, writeJson(tmp.resolve(BundleManifest.PIPELINE_FILE), pipeline));
            files.put(BundleManifest.ESTIMATOR_FILE, writeJson(tmp.resolve(BundleManifest.ESTIMATOR_FILE), estimator));
            if (profile != null) {
                files.put(BundleManifest.PROFILE_FILE, writeJson(tmp.resolve(BundleManifest.PROFILE_FILE), profile));
            }
            if (sketch != null) {
                files.put(BundleManifest.REFERENCE_SKETCH_FILE, writeJson(tmp.resolve(BundleManifest.REFERENCE_SKETCH_FILE), sketch));
            }
            if (xgboostModel != null) {
                files.put(XGBOOST_MODEL_FILE, writeBytes(tmp.resolve(XGBOOST_MODEL_FILE), xgboostModel));
            }
            if (calibration != null) {
                files.put(BundleManifest.CALIBRATION_FILE, writeJson(tmp.resolve(BundleManifest.CALIBRATION_FILE), calibration));
            }
            BundleManifest complete = new BundleManifest(manifest.formatVersion(), manifest.task(), manifest.target(),
                    manifest.classes(), manifest.positiveClass(), manifest.decisionThreshold(), manifest.inputSchema(),
                    manifest.algorithm(), manifest.hyperparameters(), manifest.validationMetrics(),
                    manifest.testMetrics(), manifest.lineage(), manifest.extra(), files);
            writeJson(tmp.resolve(BundleManifest.MANIFEST_FILE), complete);
            if (Files.exists(dir)) {
                // A non-empty directory cannot be renamed over: the old bundle steps aside first.
                Path old = parent.resolve("." + dir.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.publish(tmp, dir);
                FileTrees.deleteQuietly(old);
            } else {
                AtomicFiles.publish(tmp, dir);
            }
            return dir;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new KilnException(ErrorCode.INTERNAL, "cannot write bundle to " + dir + ": " + e,
                    Map.of("path", dir.toString()), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static String writeJson(Path file, Object value) throws IOException {
        return writeBytes(file, Json.mapper().writeValueAsBytes(value));
    }

    private static String writeBytes(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(bytes);
        }
        return Checksums.sha256(bytes);
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteQuietly(Path dir) {
        // A leftover hidden temp directory is harmless and named as such.
        FileTrees.deleteQuietly(dir);
    }
}
