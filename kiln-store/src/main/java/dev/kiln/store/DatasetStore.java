package dev.kiln.store;

import dev.kiln.runtime.profile.DatasetProfile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Content-addressed, named dataset versions: the files live under {@code HOME/datasets/<version>/}, rows in the
 * store's database name them. Whatever a model was trained on can be read again as it was.
 */
public interface DatasetStore {
    /**
     * Copies {@code files} into the store (atomically: a killed process leaves the dataset whole or absent) and
     * records them as a version of {@code name}. The same content under the same name again returns the
     * existing record and adds no row; the same content under another name adds a row and shares the copy.
     *
     * @param source where the files came from, kept for people (a JDBC URL is kept without its password)
     * @param actor who stores it
     */
    StoredDataset put(String name, List<Path> files, String source, String actor);

    /**
     * The versions of {@code name}, newest first by when each was first stored under that name (storing an older
     * content again does not move it up: {@link #put}'s answer is the version of what was just stored);
     * {@code dataset_not_found} naming the known names when there is none.
     */
    List<StoredDataset> versions(String name);

    /**
     * The dataset with this version, or the one version starting with this hex prefix (at least 6 characters);
     * an ambiguous prefix is {@code invalid_argument} listing the candidates. The same content stored under several
     * names is returned under the name it was first stored as.
     */
    StoredDataset get(String versionOrPrefix);

    /** Every dataset name, sorted. */
    List<String> names();

    /**
     * Where the stored content is, after checking every file against its recorded checksum (a changed, missing or
     * extra file is an error naming it): the file itself for one file, else the directory holding the files, so
     * that {@code DataReader.read(path)} reads exactly this dataset.
     */
    Path path(StoredDataset dataset);

    /** The stored files (checked as by {@link #path}), in the record's order. */
    List<Path> files(StoredDataset dataset);

    /**
     * The profile kept beside this version by {@link #putProfile} ({@code HOME/datasets/.profiles/<version>.json}),
     * if there is one that passes its check (its own SHA-256, the version it describes, the current format); a
     * damaged or stale file counts as none, so the caller profiles the data again.
     */
    Optional<DatasetProfile> profile(StoredDataset dataset);

    /**
     * Keeps {@code profile} beside the version (written atomically, with its checksum), replacing an older one; its
     * {@code sha256} must be the version ({@code invalid_argument} otherwise).
     */
    void putProfile(StoredDataset dataset, DatasetProfile profile);
}
