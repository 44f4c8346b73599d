package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.DatasetChecksum;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A dataset's version is the SHA-256 of its bytes, so the same file always gets the same version; several files
 * get the SHA-256 of their manifest ({@link DatasetChecksum}, the rule the dataset store uses too).
 */
public final class DatasetVersion {
    private DatasetVersion() {
    }

    /**
     * The version of a dataset of these files without reading them as data: {@link #sha256} for one file, else
     * {@link DatasetChecksum#version} over their names relative to their common directory. Equals the
     * {@link DataFrame#sha256} that {@link DataReader#readAll} gives the same files.
     */
    public static String of(List<Path> files) {
        if (files.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a dataset needs at least one file");
        }
        List<Path> real = files.stream().map(DataReader::resolve).toList();
        List<String> names = DatasetChecksum.names(real);
        List<DatasetChecksum.FileEntry> entries = new ArrayList<>(real.size());
        for (int i = 0; i < real.size(); i++) {
            Path f = real.get(i);
            try {
                entries.add(new DatasetChecksum.FileEntry(names.get(i), sha256(f), Files.size(f)));
            } catch (IOException e) {
                throw new KilnException(ErrorCode.INTERNAL, "cannot read " + f + ": " + e.getMessage(),
                        Map.of("file", f.toString()), e);
            }
        }
        return DatasetChecksum.version(entries);
    }

    /** Lower-case hex SHA-256 of the file's bytes, read in a stream (constant memory). */
    public static String sha256(Path path) {
        return sha256(path, () -> false);
    }

    /** The same, or null once {@code stop} says so ({@link Checksums#sha256(Path, BooleanSupplier)}). */
    static String sha256(Path path, BooleanSupplier stop) {
        try {
            return Checksums.sha256(path, stop);
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + path, Map.of("file", path.toString()));
        } catch (AccessDeniedException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + path + ": permission denied",
                    Map.of("file", path.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read " + path + ": " + e.getMessage(),
                    Map.of("file", path.toString()), e);
        }
    }
}
