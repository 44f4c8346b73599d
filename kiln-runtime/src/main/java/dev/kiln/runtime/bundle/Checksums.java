package dev.kiln.runtime.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;

/** SHA-256 of files and byte arrays, as lowercase hex. */
public final class Checksums {
    private Checksums() {
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String sha256(Path file) throws IOException {
        return sha256(file, () -> false);
    }

    /**
     * The file's SHA-256, or null when {@code stop} says so before the file is read (it is asked before each block of
     * 64 KB): a hash computed beside a read that another read replaces stops instead of reading the file to its end.
     */
    public static String sha256(Path file, BooleanSupplier stop) throws IOException {
        MessageDigest md = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while (!stop.getAsBoolean() && (n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
            if (stop.getAsBoolean()) {
                return null;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A fresh SHA-256 digest, for callers that hash while they stream. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
