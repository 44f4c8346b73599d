package dev.kiln.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.store.KilnStore;
import dev.kiln.store.StoredDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stored version's profile: computed once and kept; big versions in the background; unreadable data says why. */
class DatasetProfilesTest {
    @TempDir
    Path dir;

    @Test
    void aBigVersionIsProfiledInTheBackgroundThenKept() throws Exception {
        StringBuilder csv = new StringBuilder("age,job\n");
        for (int i = 0; i < 500; i++) {
            csv.append(20 + i % 50).append(',').append(i % 3 == 0 ? "clerk" : i % 3 == 1 ? "" : "chef").append('\n');
        }
        try (KilnStore store = KilnStore.open(dir.resolve("home"), null)) {
            StoredDataset d = store.datasets().put("people", List.of(Files.writeString(dir.resolve("p.csv"), csv)), "p.csv", "ana");
            DatasetProfiles.Lookup first = DatasetProfiles.lookup(store, d, 0); // every version counts as big
            assertThat(first.state()).isEqualTo(DatasetProfiles.Lookup.COMPUTING);
            assertThat(first.profile()).isNull();
            DatasetProfiles.Lookup done = Poll.until(() -> DatasetProfiles.lookup(store, d, 0),
                    l -> !l.state().equals(DatasetProfiles.Lookup.COMPUTING), Duration.ofSeconds(60));
            assertThat(done.state()).isEqualTo(DatasetProfiles.Lookup.READY);
            assertThat(done.profile().rows()).isEqualTo(500);
            assertThat(done.profile().sha256()).isEqualTo(d.version());
            assertThat(done.profile().source()).as("the source the user gave, not the store's path").isEqualTo("p.csv");
            assertThat(done.profile().column("job").orElseThrow().missing()).isEqualTo(167);
            assertThat(store.datasets().profile(d).orElseThrow()).as("kept by the store").usingRecursiveComparison().isEqualTo(done.profile());
        }
    }

    @Test
    void unreadableDataFailsOnceAndIsNotReadAgain() throws Exception {
        try (KilnStore store = KilnStore.open(dir.resolve("home"), null)) {
            StoredDataset d = store.datasets().put("bad", List.of(Files.writeString(dir.resolve("b.csv"), "a\n\"x\n")), "b.csv", "ana");
            DatasetProfiles.Lookup first = DatasetProfiles.lookup(store, d, Long.MAX_VALUE);
            assertThat(first.state()).isEqualTo(DatasetProfiles.Lookup.FAILED);
            assertThat(first.error().code().wireName()).isEqualTo("data_malformed");
            Files.delete(store.datasets().path(d)); // were it read again, the answer would be file_not_found
            assertThat(DatasetProfiles.lookup(store, d, Long.MAX_VALUE).error().code().wireName()).isEqualTo("data_malformed");
        }
    }
}
