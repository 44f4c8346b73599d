package dev.kiln.app.lifecycle;

import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The profile of a stored dataset version ({@code kiln data profile}'s), computed once and kept beside the version by
 * the dataset store, then reused: profiling reads and sorts every column, seconds for a million rows, too slow for
 * every page view. Two callers asking for the same unprofiled version at once in this process compute it once.
 */
public final class DatasetProfiles {
    private static final ConcurrentMap<String, Object> COMPUTING = new ConcurrentHashMap<>();

    private DatasetProfiles() {
    }

    /** The kept profile, or the data read (its files checked against their checksums), profiled and kept. */
    public static DatasetProfile of(KilnStore store, StoredDataset dataset) {
        var kept = store.datasets().profile(dataset);
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
                DatasetProfile computed = Profiler.profile(DataReader.read(store.datasets().path(dataset)));
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
