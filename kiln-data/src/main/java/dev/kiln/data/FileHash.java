package dev.kiln.data;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A file's SHA-256 ({@link DatasetVersion#sha256}) computed on another thread while the caller reads the file: each
 * takes a similar time, so together they take about as long as the read.
 */
public final class FileHash {
    private FileHash() {
    }

    /**
     * Starts hashing {@code file}. Cancelling the future stops the hashing at its next block of 64 KB: a read that gives
     * way to another, which hashes the file itself, leaves no second hash running beside it.
     */
    public static CompletableFuture<String> meanwhile(Path file) {
        CompletableFuture<String> hash = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> { // where supplyAsync runs its work: a thread of its own on two cores
            try {
                String hex = DatasetVersion.sha256(file, hash::isCancelled);
                if (hex != null) {
                    hash.complete(hex);
                }
            } catch (Throwable e) { // joined rethrows it
                hash.completeExceptionally(e);
            }
        });
        return hash;
    }

    /** The hash {@link #meanwhile} computed: waits for it, and rethrows its error (a file not found, say) as it was. */
    public static String joined(CompletableFuture<String> hash) {
        try {
            return hash.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
