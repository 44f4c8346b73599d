package dev.kiln.app.server;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where uploaded bodies go: fresh directories {@code HOME/tmp/upload-<uuid>}, deleted by the route when it is
 * done (and, if a server died mid-upload, by the next server after a day).
 *
 * <p>Size limits: JSON routes read their body through Javalin, whose {@code maxRequestSize} (1 MiB) applies
 * only to that read. Upload routes never go through it: they read the raw request stream here, refusing a
 * declared {@code Content-Length} over {@link #MAX_UPLOAD_BYTES} before reading anything, and counting the
 * bytes as they arrive (a chunked body has no length), with 413 {@code payload_too_large} either way.
 */
final class Uploads {
    static final long MAX_UPLOAD_BYTES = 64L << 20;
    private static final Duration STALE = Duration.ofHours(24);
    private static final String PREFIX = "upload-";

    private final Path dir;

    Uploads(Path home) {
        Path d = home.toAbsolutePath().normalize().resolve("tmp");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot create " + d + " for uploads: " + e.getMessage(), Map.of("path", d.toString()), e);
        }
        if (Files.isSymbolicLink(d) || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException(ErrorCode.INTERNAL, d + " must be a directory, not a symbolic link", Map.of("path", d.toString()));
        }
        this.dir = d;
        removeStale();
    }

    /** {@code HOME/tmp}. */
    Path root() {
        return dir;
    }

    /** A fresh, empty directory under {@code HOME/tmp}; the caller removes it with {@link #delete}. */
    Path newDirectory() {
        Path d = dir.resolve(PREFIX + UUID.randomUUID());
        try {
            return Files.createDirectory(d);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot create upload directory " + d + ": " + e.getMessage(),
                    Map.of("path", d.toString()), e);
        }
    }

    /**
     * Copies the request body into the new file {@code target}, at most {@link #MAX_UPLOAD_BYTES}; returns its
     * size.
     */
    static long receive(Call call, Path target) {
        long declared = call.contentLength();
        if (declared > MAX_UPLOAD_BYTES) {
            throw tooLarge();
        }
        long n = 0;
        try (InputStream in = call.bodyStream();
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[64 * 1024];
            int r;
            while ((r = in.read(buf)) != -1) {
                n += r;
                if (n > MAX_UPLOAD_BYTES) {
                    throw tooLarge();
                }
                out.write(buf, 0, r);
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read the request body: " + e.getMessage(), Map.of(), e);
        }
        return n;
    }

    static KilnException tooLarge() {
        return KilnException.answer(ErrorCode.PAYLOAD_TOO_LARGE, "the upload is over " + MAX_UPLOAD_BYTES + " bytes",
                Map.of("limit_bytes", MAX_UPLOAD_BYTES));
    }

    /** Removes {@code d} and everything in it, without following links; best effort. */
    static void delete(Path d) {
        // A leftover is removed by the next server's clean-up of stale uploads.
        FileTrees.deleteQuietly(d);
    }

    private void removeStale() {
        Instant cutoff = Instant.now().minus(STALE);
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).forEach(p -> {
                try {
                    if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                        delete(p);
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
