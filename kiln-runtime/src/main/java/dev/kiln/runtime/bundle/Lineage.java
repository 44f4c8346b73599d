package dev.kiln.runtime.bundle;

import java.util.Map;

/**
 * Where a model came from: the dataset version (SHA-256 of its bytes), its rows, the training parameters
 * and seed, the Kiln version and git commit of the code, and when it was made; for a model that continued
 * another one (warm start), that parent.
 *
 * @param parent the model this one continued training from; null when trained from scratch (and in every
 *               bundle written before warm starts existed: the field is optional, absent from the JSON when null)
 */
public record Lineage(
        String datasetSource,
        String datasetSha256,
        long datasetRows,
        long trainRows,
        long validationRows,
        long testRows,
        String split,
        long seed,
        Map<String, Object> parameters,
        String kilnVersion,
        String gitCommit,
        String createdAt,
        Parent parent) {

    /** A model trained from scratch. */
    public Lineage(String datasetSource, String datasetSha256, long datasetRows, long trainRows, long validationRows,
                   long testRows, String split, long seed, Map<String, Object> parameters, String kilnVersion,
                   String gitCommit, String createdAt) {
        this(datasetSource, datasetSha256, datasetRows, trainRows, validationRows, testRows, split, seed, parameters,
                kilnVersion, gitCommit, createdAt, null);
    }

    /**
     * The model a warm-started one continued.
     *
     * @param version      how the parent was named when training started: a registry version ({@code credit:3}) or
     *                     a bundle directory
     * @param bundleSha256 the SHA-256 of the parent bundle's {@code manifest.json}, which covers every file of it (the
     *                     registry's address of that bundle)
     */
    public record Parent(String version, String bundleSha256) {
    }

    /** This lineage with {@code parent} set. */
    public Lineage withParent(Parent parent) {
        return new Lineage(datasetSource, datasetSha256, datasetRows, trainRows, validationRows, testRows, split, seed,
                parameters, kilnVersion, gitCommit, createdAt, parent);
    }
}
