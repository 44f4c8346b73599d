package dev.kiln.runtime.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.profile.DatasetProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a bundle directory: checks the format version, verifies the SHA-256 of every file named in the
 * manifest, then parses and validates the pipeline and estimator. Plain JSON only; nothing that runs
 * code on load.
 */
public final class BundleReader {
    private static final int SUPPORTED_MAJOR = BundleManifest.major(BundleManifest.FORMAT_VERSION);

    private BundleReader() {
    }

    public static Bundle read(Path directory) {
        Path dir = canonical(directory);
        Path manifestFile = dir.resolve(BundleManifest.MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND,
                    "'" + directory + "' is not a Kiln bundle: it has no " + BundleManifest.MANIFEST_FILE,
                    Map.of("path", directory.toString()));
        }
        BundleManifest manifest = parse(manifestFile, BundleManifest.class);
        checkFormat(manifestFile, manifest);
        for (String required : List.of(BundleManifest.PIPELINE_FILE, BundleManifest.ESTIMATOR_FILE)) {
            if (!manifest.files().containsKey(required)) {
                throw corrupt(manifestFile, "the manifest lists no checksum for " + required);
            }
        }
        for (Map.Entry<String, String> e : manifest.files().entrySet()) {
            verify(dir, e.getKey(), e.getValue());
        }
        FeaturePipeline pipeline = parse(dir.resolve(BundleManifest.PIPELINE_FILE), FeaturePipeline.class);
        Estimator estimator = parse(dir.resolve(BundleManifest.ESTIMATOR_FILE), Estimator.class);
        DatasetProfile profile = manifest.files().containsKey(BundleManifest.PROFILE_FILE)
                ? parse(dir.resolve(BundleManifest.PROFILE_FILE), DatasetProfile.class) : null;
        ReferenceSketch sketch = manifest.files().containsKey(BundleManifest.REFERENCE_SKETCH_FILE)
                ? parse(dir.resolve(BundleManifest.REFERENCE_SKETCH_FILE), ReferenceSketch.class) : null;
        Calibration calibration = manifest.files().containsKey(BundleManifest.CALIBRATION_FILE)
                ? parse(dir.resolve(BundleManifest.CALIBRATION_FILE), Calibration.class) : null;
        if (calibration != null) {
            try {
                calibration.validate(manifest.classes());
            } catch (IllegalStateException e) {
                throw corrupt(dir.resolve(BundleManifest.CALIBRATION_FILE), e.getMessage());
            }
        }
        try {
            estimator.validate(pipeline.width());
        } catch (IllegalStateException e) {
            throw corrupt(dir.resolve(BundleManifest.ESTIMATOR_FILE), e.getMessage());
        }
        for (String column : pipeline.inputColumns()) {
            if (manifest.inputSchema() == null || manifest.inputSchema().field(column).isEmpty()) {
                throw corrupt(manifestFile, "the pipeline reads column '" + column + "' that the input schema lacks");
            }
        }
        return new Bundle(dir, manifest, pipeline, estimator, profile, sketch, calibration);
    }

    private static Path canonical(Path directory) {
        try {
            return directory.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "no bundle at '" + directory + "'",
                    Map.of("path", directory.toString()));
        }
    }

    private static void checkFormat(Path manifestFile, BundleManifest manifest) {
        String version = manifest.formatVersion();
        if (version == null || manifest.files() == null || manifest.task() == null) {
            throw corrupt(manifestFile, "formatVersion, task and files are required");
        }
        int major = BundleManifest.major(version);
        if (major < 0) {
            throw corrupt(manifestFile, "formatVersion '" + version + "' is not MAJOR.MINOR");
        }
        if (major > SUPPORTED_MAJOR) {
            throw new KilnException(ErrorCode.BUNDLE_FORMAT_UNSUPPORTED,
                    "bundle " + manifestFile.getParent() + " has format " + version + ", newer than this Kiln ("
                            + dev.kiln.runtime.KilnVersion.get() + ") reads (" + SUPPORTED_MAJOR
                            + ".x); upgrade Kiln to load it",
                    Map.of("formatVersion", version, "supported", SUPPORTED_MAJOR + ".x"));
        }
    }

    private static void verify(Path dir, String name, String expected) {
        Path file = dir.resolve(name).normalize();
        if (!file.startsWith(dir) || !file.getParent().equals(dir)) {
            throw corrupt(dir.resolve(BundleManifest.MANIFEST_FILE), "file name '" + name + "' leaves the bundle");
        }
        if (!Files.isRegularFile(file)) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle file " + file + " is missing",
                    Map.of("file", file.toString()));
        }
        String actual;
        try {
            actual = Checksums.sha256(file);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read bundle file " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
        if (!actual.equalsIgnoreCase(expected)) {
            throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH,
                    "bundle file " + file + " fails its checksum (expected sha256 " + expected + ", found " + actual
                            + "): the file was changed or truncated",
                    Map.of("file", file.toString(), "expected", expected, "actual", actual));
        }
    }

    private static <T> T parse(Path file, Class<T> type) {
        try {
            T value = Json.mapper().readValue(file.toFile(), type);
            if (value == null) {
                throw corrupt(file, "the file is empty");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw corrupt(file, e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        } catch (IllegalArgumentException e) {
            throw corrupt(file, e.getMessage());
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
    }

    private static KilnException corrupt(Path file, String why) {
        return new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle file " + file + " is invalid: " + why,
                Map.of("file", file.toString()));
    }
}
