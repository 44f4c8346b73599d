package dev.kiln.app.lifecycle;

import dev.kiln.data.Profiler;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The profile of a stored dataset version ({@code kiln data profile}'s), computed once and kept beside the version by
 * the dataset store, then reused: profiling reads and sorts every column (about 11 s for a million rows of the credit
 * data on a shared 2-core machine), far too slow for every page view. Small versions are profiled while the caller
 * waits; bigger ones on one background thread ({@link #lookup}), so a request never waits minutes for a big one.
 */
public final class DatasetProfiles {
    /** Versions up to this size are profiled while the caller waits (well under a second). */
    public static final long INLINE_BYTES = 8L << 20;

    private static final ConcurrentMap<String, Object> COMPUTING = new ConcurrentHashMap<>();
    /** Versions queued or being profiled in the background. */
    private static final ConcurrentMap<String, Boolean> QUEUED = new ConcurrentHashMap<>();
    /** Why a version could not be profiled (the content never changes, so neither does the answer). */
    private static final ConcurrentMap<String, KilnException> FAILED = new ConcurrentHashMap<>();
    private static final ExecutorService BACKGROUND = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-dataset-profiler");
        t.setDaemon(true);
        return t;
    });

    private DatasetProfiles() {
    }

    /**
     * Where a version's profile stands: {@code ready} with it, {@code computing} (queued in the background; ask again),
     * or {@code failed} with the reason (e.g. the data cannot be read).
     */
    public record Lookup(String state, DatasetProfile profile, KilnException error) {
        public static final String READY = "ready";
        public static final String COMPUTING = "computing";
        public static final String FAILED = "failed";
    }

    /** The kept profile; else profiled now (up to {@code inlineBytes}) or queued in the background. */
    public static Lookup lookup(KilnStore store, StoredDataset dataset, long inlineBytes) {
        Optional<DatasetProfile> kept = store.datasets().profile(dataset);
        if (kept.isPresent()) {
            return new Lookup(Lookup.READY, kept.get(), null);
        }
        KilnException failed = FAILED.get(dataset.version());
        if (failed != null) {
            return new Lookup(Lookup.FAILED, null, failed);
        }
        if (dataset.totalBytes() <= inlineBytes) {
            try {
                return new Lookup(Lookup.READY, of(store, dataset), null);
            } catch (KilnException e) {
                return new Lookup(Lookup.FAILED, null, e);
            }
        }
        if (QUEUED.putIfAbsent(dataset.version(), Boolean.TRUE) == null) {
            BACKGROUND.execute(() -> {
                try {
                    of(store, dataset);
                } catch (KilnException e) {
                    // remembered by of(); shown on the next lookup
                } catch (RuntimeException e) {
                    FAILED.put(dataset.version(), new KilnException(ErrorCode.INTERNAL, "cannot profile dataset "
                            + dataset.version() + ": " + e, Map.of("version", dataset.version()), e));
                } finally {
                    QUEUED.remove(dataset.version());
                }
            });
        }
        return new Lookup(Lookup.COMPUTING, null, null);
    }

    /** The kept profile, or the data read (its files checked against their checksums), profiled and kept. */
    public static DatasetProfile of(KilnStore store, StoredDataset dataset) {
        Optional<DatasetProfile> kept = store.datasets().profile(dataset);
        if (kept.isPresent()) {
            return kept.get();
        }
        Object lock = COMPUTING.computeIfAbsent(dataset.version(), v -> new Object());
        try {
            synchronized (lock) {
                kept = store.datasets().profile(dataset); // another caller may have finished meanwhile
                if (kept.isPresent()) {
                    return kept.get();
                }
                DatasetProfile computed;
                try {
                    computed = Profiler.profile(store.datasets().path(dataset));
                } catch (KilnException e) {
                    if (e.code().name().startsWith("DATA_")) {
                        FAILED.put(dataset.version(), e); // unreadable content stays unreadable: not read on every view
                    }
                    throw e;
                }
                // Named by the version and the source the user gave, not the store's path the reader saw.
                DatasetProfile profile = new DatasetProfile(dataset.source(), dataset.version(), computed.rows(),
                        computed.columns());
                store.datasets().putProfile(dataset, profile);
                return profile;
            }
        } finally {
            COMPUTING.remove(dataset.version(), lock);
        }
    }
}
