package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.DatasetChecksum;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The files of the dataset store, under {@code HOME/datasets/<version>/}. A put copies into a hidden temporary
 * directory beside them ({@code .tmp-UUID}), hashing while it copies, syncs it and renames it into place
 * ({@link AtomicFiles#publish}): a process killed half-way leaves only a temporary, which no reader looks at and
 * a later open removes once it is a day old (a younger one may belong to a put still running elsewhere).
 */
final class DatasetFiles {
    static final String TEMP_PREFIX = ".tmp-";
    private static final Duration STALE_TEMP = Duration.ofHours(24);

    /** What was copied: the content's version and its files. */
    record Copied(String version, List<DatasetChecksum.FileEntry> files) {
        long totalBytes() {
            return files.stream().mapToLong(DatasetChecksum.FileEntry::bytes).sum();
        }
    }

    private final Path root;

    DatasetFiles(Path home) {
        try {
            Path dir = home.resolve("datasets");
            Files.createDirectories(dir);
            if (Files.isSymbolicLink(dir)) {
                throw new IOException(dir + " must be a directory, not a symbolic link");
            }
            this.root = dir.toRealPath();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot create the dataset store under " + home + ": " + e.getMessage(),
                    Map.of("path", home.toString()), e);
        }
        removeStaleTemporaries(Instant.now().minus(STALE_TEMP));
    }

    Path root() {
        return root;
    }

    /** Copies the files into the store (or finds the same content there) and returns what they are. */
    Copied store(List<Path> files) {
        if (files == null || files.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a dataset needs at least one file");
        }
        List<Path> sources = files.stream().map(DatasetFiles::regularFile).toList();
        List<String> names = DatasetChecksum.names(sources);
        names.forEach(ArtifactStore::checkArtifactName);
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (!seen.add(names.get(i))) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a dataset cannot hold one file twice: " + sources.get(i)
                        + " is given more than once", Map.of("file", sources.get(i).toString()));
            }
        }
        Path tmp = null;
        try {
            tmp = Files.createDirectory(root.resolve(TEMP_PREFIX + UUID.randomUUID()));
            List<DatasetChecksum.FileEntry> entries = new ArrayList<>(sources.size());
            for (int i = 0; i < sources.size(); i++) {
                Path to = tmp.resolve(names.get(i));
                Files.createDirectories(to.getParent());
                entries.add(copyHashing(sources.get(i), to, names.get(i)));
            }
            String version = DatasetChecksum.version(entries); // also refuses two files of one name
            Copied copied = new Copied(version, List.copyOf(entries));
            Path target = root.resolve(version);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && intact(copied)) {
                return copied;
            }
            publish(tmp, target, copied);
            tmp = null;
            return copied;
        } catch (IOException | UncheckedIOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot store the dataset in " + root + ": " + e.getMessage(),
                    Map.of("path", root.toString()), e);
        } finally {
            if (tmp != null) {
                FileTrees.deleteQuietly(tmp); // best effort: a later open removes what is left
            }
        }
    }

    /** The stored files of a version, each checked against its recorded size and SHA-256. */
    List<Path> verified(String version, List<DatasetChecksum.FileEntry> files) {
        Path dir = directory(version);
        List<Path> out = new ArrayList<>(files.size());
        for (DatasetChecksum.FileEntry f : files) {
            Path p = ArtifactStore.resolveUnder(dir, f.name());
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw corrupt(version, p, "is missing");
            }
            String actual = sha256(p);
            if (!actual.equals(f.sha256())) {
                throw new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "stored dataset file " + p
                        + " fails its checksum (recorded sha256 " + f.sha256() + ", found " + actual
                        + "): the store's copy was changed or damaged",
                        Map.of("file", p.toString(), "version", version, "expected", f.sha256(), "actual", actual));
            }
            out.add(p);
        }
        if (files.size() > 1) {
            Set<String> extra = new TreeSet<>(listNames(dir));
            files.forEach(f -> extra.remove(f.name()));
            if (!extra.isEmpty()) {
                throw corrupt(version, dir.resolve(extra.iterator().next()), "is not part of the dataset (extra files: "
                        + String.join(", ", extra) + ")");
            }
        }
        return out;
    }

    Path directory(String version) {
        if (version == null || !ArtifactStore.SHA256.matcher(version).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + version + "' is not a dataset version (64 hex digits)",
                    Map.of("version", String.valueOf(version)));
        }
        Path dir = root.resolve(version);
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "stored dataset " + version + " is missing from " + root,
                    Map.of("version", version, "path", dir.toString()));
        }
        return dir;
    }

    /** Removes temporaries last modified before {@code cutoff}: what killed puts left behind. */
    void removeStaleTemporaries(Instant cutoff) {
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).forEach(p -> {
                try {
                    if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                        FileTrees.deleteQuietly(p);
                    }
                } catch (IOException gone) {
                    // removed by another process already
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    /** {@link AtomicFiles#publish}, unless another writer stored the same content first. */
    private void publish(Path tmp, Path target, Copied copied) throws IOException {
        try {
            AtomicFiles.publish(tmp, target);
        } catch (IOException e) {
            if (!(e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException)
                    && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            if (intact(copied)) {
                FileTrees.deleteQuietly(tmp);
                return;
            }
            // A damaged copy (no row can point at it yet in a way that still verifies): replace it.
            Path trash = root.resolve(TEMP_PREFIX + "trash-" + UUID.randomUUID());
            Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.publish(tmp, target);
            FileTrees.deleteQuietly(trash);
        }
    }

    private boolean intact(Copied copied) {
        try {
            verified(copied.version(), copied.files());
            return true;
        } catch (KilnException e) {
            return false;
        }
    }

    private static Path regularFile(Path file) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "file not found: " + file.toAbsolutePath().normalize(),
                    Map.of("file", file.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
        if (!Files.isRegularFile(real)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, real + " is not a regular file: a dataset stores files "
                    + "(resolve a directory or glob to its files first)", Map.of("file", real.toString()));
        }
        return real;
    }

    private static DatasetChecksum.FileEntry copyHashing(Path from, Path to, String name) throws IOException {
        MessageDigest md = Checksums.digest();
        long bytes;
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = new DigestOutputStream(Files.newOutputStream(to, StandardOpenOption.CREATE_NEW), md)) {
            bytes = in.transferTo(out);
        }
        return new DatasetChecksum.FileEntry(name, HexFormat.of().formatHex(md.digest()), bytes);
    }

    private static String sha256(Path p) {
        try {
            return Checksums.sha256(p);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read " + p + ": " + e.getMessage(), Map.of("file", p.toString()), e);
        }
    }

    private static List<String> listNames(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> String.join("/", dir.relativize(p).toString().split(java.util.regex.Pattern.quote(
                            dir.getFileSystem().getSeparator())))).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot list " + dir + ": " + e.getMessage(), Map.of("path", dir.toString()), e);
        }
    }

    private static KilnException corrupt(String version, Path file, String what) {
        return new KilnException(ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "stored dataset " + version + ": " + file + " " + what
                + "; the store's copy was changed or damaged", Map.of("file", file.toString(), "version", version));
    }
}
