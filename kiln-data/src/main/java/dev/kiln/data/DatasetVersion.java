package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** A dataset's version is the SHA-256 of its bytes, so the same file always gets the same version. */
public final class DatasetVersion {
    private DatasetVersion() {
    }

    /** Lower-case hex SHA-256 of the file's bytes, read in a stream (constant memory). */
    public static String sha256(Path path) {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + path, Map.of("file", path.toString()));
        } catch (AccessDeniedException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + path + ": permission denied",
                    Map.of("file", path.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read " + path + ": " + e.getMessage(),
                    Map.of("file", path.toString()), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
