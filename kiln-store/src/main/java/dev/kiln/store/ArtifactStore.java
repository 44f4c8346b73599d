package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Content-addressed storage under {@code HOME/artifacts/}: files at {@code files/<sha256>}, bundles at
 * {@code bundles/<sha256 of manifest.json>/}. Every write goes to a temporary sibling and is published by
 * {@link AtomicFiles#publish} (fsynced, renamed into place, directory fsynced), so a reader sees a whole artifact or none; writing content that is already there
 * reuses it. Reading a bundle back verifies it. Nothing a user names becomes a path unchecked: addresses
 * must be SHA-256 hex, bundle file names plain names, and no symbolic link is ever followed out.
 */
public final class ArtifactStore {
    /** A lowercase SHA-256 hex digest: the only thing that becomes a path inside the store. */
    public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A file name inside a bundle: one path segment, no separators, not '.' or '..'. */
    static final Pattern BUNDLE_FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
    private static final Duration STALE_TEMP = Duration.ofHours(24);

    /** What {@link #putFile} and {@link #putDirectory} stored. */
    public record Stored(String sha256, long sizeBytes) {
    }

    private final Path root;
    private final Path files;
    private final Path bundles;

    ArtifactStore(Path home) {
        try {
            Path artifacts = home.resolve("artifacts");
            Files.createDirectories(artifacts.resolve("files"));
            Files.createDirectories(artifacts.resolve("bundles"));
            this.root = artifacts.toRealPath();
            this.files = dirUnderRoot(root.resolve("files"));
            this.bundles = dirUnderRoot(root.resolve("bundles"));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot create the artifact store under " + home + ": " + e.getMessage(),
                    Map.of("path", home.toString()), e);
        }
        removeStaleTemporaries();
    }

    private Path dirUnderRoot(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " must be a directory, not a symbolic link");
        }
        return dir;
    }

    public Path root() {
        return root;
    }

    // ---------------------------------------------------------------- bundles

    /**
     * Verifies the bundle at {@code source} (every checksum, no symbolic links, plain file names), copies
     * {@code manifest.json} and the files it lists into the store and returns the bundle's address, the
     * SHA-256 of its manifest. Files the manifest does not list are not part of the bundle and stay behind.
     */
    public String putBundle(Path source) {
        Path src = realDirectory(source);
        Path manifestFile = src.resolve(BundleManifest.MANIFEST_FILE);
        if (Files.isSymbolicLink(manifestFile)) {
            throw symlink(manifestFile);
        }
        if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            BundleReader.read(src); // raises the runtime's own "not a Kiln bundle" error
        }
        byte[] manifestBytes;
        try {
            manifestBytes = Files.readAllBytes(manifestFile);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + manifestFile + ": " + e.getMessage(),
                    Map.of("path", src.toString()), e);
        }
        // Names and links first, so that no listed name is read through a link or outside the bundle.
        checkBundleFiles(src, reparseFiles(manifestBytes, src));
        BundleReader.read(src);
        String sha = Checksums.sha256(manifestBytes);
        Path target = bundles.resolve(sha);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && intactBundle(sha)) {
            return sha;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory(bundles, ".tmp-");
            // The manifest written is the one hashed, and each file is hashed as it is copied, so the stored
            // bundle matches its address even if the source changes while it is being copied.
            try (OutputStream out = Files.newOutputStream(tmp.resolve(BundleManifest.MANIFEST_FILE), StandardOpenOption.CREATE_NEW)) {
                out.write(manifestBytes);
            }
            Map<String, String> manifestFiles = reparseFiles(manifestBytes, src);
            for (Map.Entry<String, String> f : manifestFiles.entrySet()) {
                String name = checkBundleFileName(f.getKey(), src);
                String copied = copyHashing(src.resolve(name), tmp.resolve(name));
                if (!copied.equalsIgnoreCase(f.getValue())) {
                    throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "bundle file " + src.resolve(name)
                            + " changed while it was being stored (expected sha256 " + f.getValue() + ", copied " + copied + ")",
                            Map.of("file", src.resolve(name).toString(), "expected", f.getValue(), "actual", copied));
                }
            }
            publishDirectory(tmp, target, sha);
            tmp = null;
            return sha;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot store bundle " + src + " in " + bundles + ": " + e.getMessage(),
                    Map.of("path", src.toString()), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** {@link AtomicFiles#publish} (synced, renamed, parent synced), unless another writer got there first. */
    private void publishDirectory(Path tmp, Path target, String sha) throws IOException {
        try {
            AtomicFiles.publish(tmp, target);
        } catch (IOException e) {
            if (!(e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException)
                    && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            // Another writer stored the same content first: reuse it when it is intact, else replace it.
            if (intactBundle(sha)) {
                deleteTree(tmp);
                return;
            }
            Path trash = bundles.resolve(".trash-" + UUID.randomUUID());
            Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.publish(tmp, target);
            deleteTree(trash);
        }
    }

    private static Map<String, String> reparseFiles(byte[] manifestBytes, Path src) {
        try {
            BundleManifest m = Json.mapper().readValue(manifestBytes, BundleManifest.class);
            return m.files() == null ? Map.of() : m.files();
        } catch (IOException e) {
            BundleReader.read(src); // names what is wrong with the manifest
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle " + src + " changed while it was being stored",
                    Map.of("path", src.toString()), e);
        }
    }

    /**
     * The stored bundle at {@code sha256}, after checking that its manifest still hashes to its address and
     * that every file passes its checksum.
     */
    public Path bundle(String sha256) {
        Path dir = bundleDirectory(sha256);
        verifyBundle(dir, sha256);
        return dir;
    }

    /**
     * The manifest of a bundle that {@link #putBundle} has just stored (and so verified), without hashing
     * its files again.
     */
    BundleManifest storedManifest(String sha256) {
        Path manifest = bundleDirectory(sha256).resolve(BundleManifest.MANIFEST_FILE);
        try {
            return Json.mapper().readValue(Files.readAllBytes(manifest), BundleManifest.class);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + manifest + ": " + e.getMessage(),
                    Map.of("file", manifest.toString()), e);
        }
    }

    /** Total size of a stored bundle's files. */
    long storedBundleSize(String sha256) {
        try (Stream<Path> s = Files.list(bundleDirectory(sha256))) {
            long total = 0;
            for (Path p : s.toList()) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read stored bundle " + sha256 + ": " + e.getMessage(),
                    Map.of("sha256", sha256), e);
        }
    }

    /** Whether the stored bundle exists and verifies. */
    public boolean intactBundle(String sha256) {
        try {
            bundle(sha256);
            return true;
        } catch (KilnException e) {
            return false;
        }
    }

    private Path bundleDirectory(String sha256) {
        checkAddress(sha256);
        Path dir = bundles.resolve(sha256);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "bundle " + sha256 + " is missing from the artifact store "
                    + bundles, Map.of("sha256", sha256, "path", dir.toString()));
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "stored bundle " + dir + " is not a directory (a symbolic link?)",
                    Map.of("path", dir.toString()));
        }
        return dir;
    }

    private void verifyBundle(Path dir, String sha256) {
        Path manifest = dir.resolve(BundleManifest.MANIFEST_FILE);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "stored bundle " + dir + " has no regular manifest.json",
                    Map.of("path", dir.toString()));
        }
        String actual;
        try {
            actual = Checksums.sha256(manifest);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + manifest + ": " + e.getMessage(),
                    Map.of("file", manifest.toString()), e);
        }
        if (!actual.equals(sha256)) {
            throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "stored bundle " + dir + " fails its checksum: its "
                    + "manifest.json hashes to " + actual + ", not to its address " + sha256,
                    Map.of("file", manifest.toString(), "expected", sha256, "actual", actual));
        }
        try {
            checkBundleFiles(dir, reparseFiles(Files.readAllBytes(manifest), dir));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + manifest + ": " + e.getMessage(),
                    Map.of("file", manifest.toString()), e);
        }
        BundleReader.read(dir);
    }

    private static void checkBundleFiles(Path dir, Map<String, String> listed) {
        if (Files.isSymbolicLink(dir.resolve(BundleManifest.MANIFEST_FILE))) {
            throw symlink(dir.resolve(BundleManifest.MANIFEST_FILE));
        }
        for (String name : listed.keySet()) {
            Path file = dir.resolve(checkBundleFileName(name, dir));
            if (Files.isSymbolicLink(file)) {
                throw symlink(file);
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle file " + file + " is not a regular file",
                        Map.of("file", file.toString()));
            }
        }
    }

    private static String checkBundleFileName(String name, Path dir) {
        if (name == null || !BUNDLE_FILE.matcher(name).matches() || name.equals(BundleManifest.MANIFEST_FILE)) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "bundle " + dir + " lists file '" + name
                    + "', which is not a plain file name inside the bundle", Map.of("path", dir.toString(), "name", String.valueOf(name)));
        }
        return name;
    }

    private static KilnException symlink(Path file) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, file + " is a symbolic link; bundles and artifacts must hold "
                + "regular files only", Map.of("file", file.toString()));
    }

    // ---------------------------------------------------------------- files and directories

    /** Copies one regular file into the store; returns its SHA-256 and size. */
    public Stored putFile(Path source) {
        Path src;
        try {
            src = source.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "no file at '" + source + "'", Map.of("path", source.toString()));
        }
        if (!Files.isRegularFile(src)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + source + "' is not a regular file",
                    Map.of("path", source.toString()));
        }
        return storeFile(src);
    }

    private Stored storeFile(Path src) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(files, ".tmp-", "");
            String sha = copyHashing(src, tmp, StandardCopyOption.REPLACE_EXISTING);
            long size = Files.size(tmp);
            Path target = files.resolve(sha);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && intactFile(target, sha)) {
                return new Stored(sha, size);
            }
            AtomicFiles.publish(tmp, target); // replaces a damaged copy; an intact one was kept above
            tmp = null;
            return new Stored(sha, size);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot store " + src + " in " + files + ": " + e.getMessage(),
                    Map.of("path", src.toString()), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stale temporary is removed on a later open
                }
            }
        }
    }

    /**
     * Stores every regular file under {@code source} and a listing of them (relative path to SHA-256, JSON);
     * the listing's SHA-256 addresses the directory. Symbolic links are refused, never followed.
     */
    public Stored putDirectory(Path source) {
        Path src = realDirectory(source);
        Map<String, String> listing = new TreeMap<>();
        long[] total = {0};
        try {
            Files.walkFileTree(src, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isSymbolicLink() || !attrs.isRegularFile()) {
                        throw attrs.isSymbolicLink() ? symlink(file) : new KilnException(ErrorCode.INVALID_ARGUMENT,
                                file + " is not a regular file", Map.of("file", file.toString()));
                    }
                    Stored s = storeFile(file);
                    listing.put(src.relativize(file).toString().replace('\\', '/'), s.sha256());
                    total[0] += s.sizeBytes();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read directory " + src + ": " + e.getMessage(),
                    Map.of("path", src.toString()), e);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(files, ".tmp-list-", "");
            Files.write(tmp, Json.mapper().writeValueAsBytes(Map.of("files", listing)));
            Stored list = storeFile(tmp);
            return new Stored(list.sha256(), total[0]);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot store the listing of " + src + ": " + e.getMessage(),
                    Map.of("path", src.toString()), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // removed on a later open
                }
            }
        }
    }

    /** The stored file at {@code sha256}, after checking that its content still hashes to its address. */
    public Path file(String sha256) {
        checkAddress(sha256);
        Path f = files.resolve(sha256);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "artifact " + sha256 + " is missing from the artifact store " + files,
                    Map.of("sha256", sha256));
        }
        if (!intactFile(f, sha256)) {
            throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "stored artifact " + f + " fails its checksum",
                    Map.of("file", f.toString(), "expected", sha256));
        }
        return f;
    }

    private static boolean intactFile(Path f, String sha) {
        try {
            return Checksums.sha256(f).equals(sha);
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- names

    /**
     * Checks an artifact name as a user gave it: a relative path of plain segments ('/'-separated, no '.',
     * '..' or empty segment, no backslash or control character), so it can never leave a directory it is
     * resolved against.
     */
    public static String checkArtifactName(String name) {
        boolean ok = name != null && !name.isEmpty() && name.length() <= 1000 && !name.startsWith("/") && !name.contains("\\")
                && name.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f) && !Path.of(name).isAbsolute();
        if (ok) {
            for (String segment : name.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    ok = false;
                    break;
                }
            }
        }
        if (!ok) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "artifact name '" + name + "' must be a relative path of plain "
                    + "names ('/'-separated; no '..', '.', empty or absolute parts)", Map.of("name", String.valueOf(name)));
        }
        return name;
    }

    /**
     * Resolves a user-given relative {@code name} under {@code base} so that the result stays under it: the
     * name is checked with {@link #checkArtifactName}, and no existing part of the path below {@code base}
     * may be a symbolic link.
     */
    public static Path resolveUnder(Path base, String name) {
        checkArtifactName(name);
        Path b = base.toAbsolutePath().normalize();
        Path p = b.resolve(name).normalize();
        if (!p.startsWith(b) || p.equals(b)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' leaves " + base, Map.of("name", name));
        }
        for (Path q = p; q != null && !q.equals(b); q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' passes through symbolic link " + q,
                        Map.of("name", name, "link", q.toString()));
            }
        }
        return p;
    }

    private static void checkAddress(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + sha256 + "' is not a SHA-256 address (64 lowercase hex digits)",
                    Map.of("sha256", String.valueOf(sha256)));
        }
    }

    // ---------------------------------------------------------------- io helpers

    private static Path realDirectory(Path source) {
        Path src;
        try {
            src = source.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_NOT_FOUND, "no directory at '" + source + "'", Map.of("path", source.toString()));
        }
        if (!Files.isDirectory(src)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + source + "' is not a directory", Map.of("path", source.toString()));
        }
        return src;
    }

    /** Copies without following a link at {@code from}; returns the SHA-256 of the bytes written. */
    private static String copyHashing(Path from, Path to, StandardCopyOption... options) throws IOException {
        if (Files.isSymbolicLink(from)) {
            throw symlink(from);
        }
        MessageDigest md = sha256();
        boolean replace = options.length > 0;
        try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = new DigestOutputStream(replace
                     ? Files.newOutputStream(to, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                     : Files.newOutputStream(to, StandardOpenOption.CREATE_NEW), md)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        // Best effort: a stale temporary is removed on a later open.
        FileTrees.deleteQuietly(dir);
    }

    /** Removes temporaries (and replaced copies) left by writers that died more than a day ago. */
    private void removeStaleTemporaries() {
        Instant cutoff = Instant.now().minus(STALE_TEMP);
        for (Path dir : new Path[] {files, bundles}) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(".tmp-") || n.startsWith(".trash-");
                }).forEach(p -> {
                    try {
                        if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                            deleteTree(p);
                        }
                    } catch (IOException ignored) {
                        // gone already
                    }
                });
            } catch (IOException ignored) {
                // nothing to clean
            }
        }
    }
}
