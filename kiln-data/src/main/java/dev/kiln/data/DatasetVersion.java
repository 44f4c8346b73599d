package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** A dataset's version is the SHA-256 of its bytes, so the same file always gets the same version. */
public final class DatasetVersion {
    private DatasetVersion() {
    }

    /** Lower-case hex SHA-256 of the file's bytes, read in a stream (constant memory). */
    public static String sha256(Path path) {
        try {
            return Checksums.sha256(path);
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
