package dev.kiln.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.profile.DatasetProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Profiles of stored dataset versions, kept beside their content in {@code HOME/datasets/.profiles/<version>.json}
 * (not inside {@code <version>/}: a dataset of several files is checked for extra files there). A profile is derived
 * from the content, so it is shared by every name of the version. The file is written atomically and carries the
 * SHA-256 of its profile and the version it describes; one that fails either check, or that an older format wrote,
 * counts as absent, so the caller computes it again and replaces it.
 */
final class DatasetProfileFiles {
    /**
     * Raise when the stored form changes, or what a profile says: older files are then recomputed, not misread. 2: a
     * boolean column's values are counted in its file's words (yes/no), where format 1 said true/false.
     */
    static final int FORMAT = 2;
    static final String DIRECTORY = ".profiles";

    private final Path dir;

    DatasetProfileFiles(Path datasetsRoot) {
        this.dir = datasetsRoot.resolve(DIRECTORY);
    }

    Path file(String version) {
        if (version == null || !ArtifactStore.SHA256.matcher(version).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + version + "' is not a dataset version (64 hex digits)",
                    Map.of("version", String.valueOf(version)));
        }
        return dir.resolve(version + ".json");
    }

    Optional<DatasetProfile> read(String version) {
        Path f = file(version);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            JsonNode root = Json.mapper().readTree(f.toFile());
            JsonNode profile = root.path("profile");
            if (root.path("format").asInt() != FORMAT || !version.equals(root.path("dataset_version").asText())
                    || !profile.isObject() || !sha256(profile).equals(root.path("profile_sha256").asText())) {
                return Optional.empty();
            }
            DatasetProfile p = Json.mapper().treeToValue(profile, DatasetProfile.class);
            return version.equals(p.sha256()) ? Optional.of(p) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable or damaged: computed again by the caller
        }
    }

    void write(String version, DatasetProfile profile) {
        Path f = file(version);
        if (!version.equals(profile.sha256())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the profile is of dataset " + profile.sha256()
                    + ", not of version " + version, Map.of("version", version, "profile", String.valueOf(profile.sha256())));
        }
        JsonNode tree = Json.mapper().valueToTree(profile);
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format", FORMAT);
        root.put("dataset_version", version);
        root.put("profile_sha256", sha256(tree));
        root.set("profile", tree);
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(f, out -> Json.mapper().writeValue(out, root));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write the profile of dataset " + version + " to " + f + ": "
                    + e.getMessage(), Map.of("path", f.toString()), e);
        }
    }

    /** Over the compact form of the tree, the same on both sides (doubles are written so that they read back exactly). */
    private static String sha256(JsonNode node) {
        try {
            byte[] bytes = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(node);
            return HexFormat.of().formatHex(Checksums.digest().digest(bytes));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot serialise a dataset profile: " + e.getMessage());
        }
    }
}
