package dev.kiln.store;

import dev.kiln.runtime.bundle.DatasetChecksum;
import java.time.Instant;
import java.util.List;

/**
 * A dataset version recorded under a name in the dataset store.
 *
 * @param version the content's address: the file's SHA-256 for one file, else the SHA-256 of the files' manifest
 *     ({@link DatasetChecksum#version}), so it equals what {@code DataReader} gives the same data
 * @param files the stored files, by name (one file: its file name; several: their paths relative to their common
 *     directory, '/'-separated), with SHA-256 and size
 * @param source where the data came from as the caller said it (a path, glob or directory spec, or a JDBC URL
 *     without its password)
 */
public record StoredDataset(String name, String version, List<DatasetChecksum.FileEntry> files, long totalBytes,
                            String source, String createdBy, Instant createdAt) {
    public StoredDataset {
        files = List.copyOf(files);
    }
}
