package dev.kiln.runtime.io;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.UUID;

/**
 * The one way Kiln replaces a file or a directory so that a killed process leaves the old content or the new,
 * never a mix: write a temporary beside the target, fsync it, rename it over the target atomically, then fsync
 * the parent directory so that the rename itself survives a power cut. Temporaries are hidden
 * ({@code .NAME.tmp-UUID}) and removed when the write fails.
 */
public final class AtomicFiles {
    /** Writes the content of a file being replaced. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with what {@code content} writes. */
    public static void write(Path target, Content content) throws IOException {
        Path parent = parentOf(target);
        Files.createDirectories(parent);
        Path tmp = temporaryFor(target);
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(out);
            }
            publish(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@link #write}, with an I/O failure reported as Kiln's {@code internal} error naming the file (for callers
     * with no I/O error of their own to report).
     */
    public static void writeOrFail(Path target, Content content) {
        try {
            write(target, content);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write " + target + ": " + e.getMessage(),
                    Map.of("path", target.toString()), e);
        }
    }

    /** A fresh hidden temporary path beside {@code target}, in the same directory so the rename stays atomic. */
    public static Path temporaryFor(Path target) {
        return parentOf(target).resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    /**
     * Moves a finished temporary file or directory tree over {@code target}: syncs everything under it, renames
     * atomically (replacing a file; a directory target must not exist or be empty), and syncs the parent.
     */
    public static void publish(Path tmp, Path target) throws IOException {
        syncTree(tmp);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot rename atomically: " + e.getMessage(), e);
        }
        syncDirectory(parentOf(target));
    }

    /** Flushes a file's content to the device. */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Flushes a directory's entries to the device. Some file systems refuse to open a directory for that; a
     * rename is still atomic there, so the refusal is not an error.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException refused) {
            // See above: nothing more can be done on such a file system.
        }
    }

    /** Syncs a file, or every file and directory under a directory (without following links). */
    public static void syncTree(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            sync(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    sync(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                syncDirectory(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path parentOf(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.getParent() == null ? abs : abs.getParent();
    }
}
