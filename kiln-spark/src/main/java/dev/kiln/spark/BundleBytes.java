package dev.kiln.spark;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.io.FileTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A bundle directory packed as one zip (its manifest and the files the manifest lists), so that executors that do not
 * see the driver's file system get it through a Spark broadcast: a byte array, which every Spark serializer ships as
 * it is. The checksum is the SHA-256 of the manifest, which holds the SHA-256 of every other file: two bundles with the
 * same checksum score alike.
 */
record BundleBytes(String path, String checksum, byte[] zip) {
    /** Packs {@code directory}; the caller has loaded it already (so it exists and its checksums hold). */
    static BundleBytes pack(Path directory, Map<String, String> files) {
        Path dir = directory.toAbsolutePath().normalize();
        TreeSet<String> names = new TreeSet<>(files.keySet());
        names.add(BundleManifest.MANIFEST_FILE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String name : names) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(Files.readAllBytes(dir.resolve(name)));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read bundle " + dir + ": " + e.getMessage(),
                    Map.of("path", dir.toString()), e);
        }
        return new BundleBytes(dir.toString(), checksum(dir.resolve(BundleManifest.MANIFEST_FILE)), bytes.toByteArray());
    }

    /** The key of a loaded model in {@link ModelCache}: the same path with other contents is another model. */
    String key() {
        return key(path, checksum);
    }

    static String key(String path, String checksum) {
        return path + "#" + checksum;
    }

    /** Unpacks into a new temporary directory (an executor's copy of the bundle); the caller deletes it. */
    static Path unpack(byte[] zip) {
        try {
            Path dir = Files.createTempDirectory("kiln-bundle-");
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    Path target = dir.resolve(e.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle entry '" + e.getName() + "' leaves its directory");
                    }
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack a bundle into a temporary directory", e);
        }
    }

    /** Removes an unpacked copy; the model is in memory by then, so a leftover is only a stale temporary. */
    static void delete(Path dir) {
        FileTrees.deleteQuietly(dir);
    }

    static String checksum(Path file) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + file + ": " + e.getMessage(),
                    Map.of("path", file.toString()), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
