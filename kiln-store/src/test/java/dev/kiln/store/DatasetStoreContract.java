package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.DatasetChecksum;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dataset store must do on every database. Subclasses say where the database lives; each test gets a
 * fresh home and an empty database.
 */
abstract class DatasetStoreContract {
    @TempDir
    Path home;
    @TempDir
    Path work;

    KilnStore store;
    DatasetStore datasets;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
        datasets = store.datasets();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    Path write(String name, String content) throws IOException {
        Path p = work.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    @Test
    void oneFileIsStoredUnderItsOwnHashAndKeepsItsName() throws Exception {
        Path f = write("credit.csv", "a,b\n1,2\n");
        StoredDataset d = datasets.put("credit", List.of(f), "data/credit.csv", "ana");
        assertThat(d.name()).isEqualTo("credit");
        assertThat(d.version()).isEqualTo(Checksums.sha256(f));
        assertThat(d.files()).containsExactly(new DatasetChecksum.FileEntry("credit.csv", Checksums.sha256(f), 8));
        assertThat(d.totalBytes()).isEqualTo(8);
        assertThat(d.source()).isEqualTo("data/credit.csv");
        assertThat(d.createdBy()).isEqualTo("ana");
        assertThat(d.createdAt()).isBeforeOrEqualTo(Instant.now());
        Path stored = datasets.path(d);
        assertThat(stored).isEqualTo(store.home().resolve("datasets").resolve(d.version()).resolve("credit.csv"));
        assertThat(Files.readString(stored)).isEqualTo("a,b\n1,2\n");
        Files.writeString(f, "changed\n"); // the stored copy does not follow the source
        assertThat(Files.readString(datasets.path(d))).isEqualTo("a,b\n1,2\n");
    }

    @Test
    void severalFilesKeepTheirRelativeNamesAndAreVersionedByTheirManifest() throws Exception {
        Path a = write("d/p=1/part.csv", "x\n1\n");
        Path b = write("d/p=2/part.csv", "x\n2\n");
        StoredDataset d = datasets.put("parts", List.of(b, a), "d/**/*.csv", "ana");
        String manifest = "p=1/part.csv\t" + Checksums.sha256(a) + "\np=2/part.csv\t" + Checksums.sha256(b) + "\n";
        assertThat(d.version()).isEqualTo(Checksums.sha256(manifest.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.version()).isEqualTo(DatasetChecksum.version(d.files()));
        assertThat(d.files()).extracting(DatasetChecksum.FileEntry::name).containsExactly("p=2/part.csv", "p=1/part.csv");
        assertThat(d.totalBytes()).isEqualTo(8);
        Path dir = datasets.path(d);
        assertThat(dir).isEqualTo(store.home().resolve("datasets").resolve(d.version()));
        assertThat(Files.readString(dir.resolve("p=1/part.csv"))).isEqualTo("x\n1\n");
        assertThat(datasets.files(d)).containsExactly(dir.resolve("p=2/part.csv"), dir.resolve("p=1/part.csv"));
    }

    @Test
    void theSameContentUnderTheSameNameIsOneRowAndUnderAnotherNameSharesTheCopy() throws Exception {
        Path f = write("a.csv", "x\n1\n");
        StoredDataset first = datasets.put("a", List.of(f), "a.csv", "ana");
        StoredDataset again = datasets.put("a", List.of(f), "elsewhere/a.csv", "bo");
        assertThat(again).isEqualTo(first);
        assertThat(datasets.versions("a")).hasSize(1);
        StoredDataset other = datasets.put("b", List.of(f), "b.csv", "bo");
        assertThat(other.name()).isEqualTo("b");
        assertThat(other.version()).isEqualTo(first.version());
        assertThat(datasets.path(other)).isEqualTo(datasets.path(first));
        assertThat(datasets.names()).containsExactly("a", "b");
        try (Stream<Path> dirs = Files.list(store.home().resolve("datasets"))) {
            assertThat(dirs).hasSize(1);
        }
        assertThat(datasets.get(first.version()).name()).isEqualTo("a"); // the name it was first stored as
    }

    @Test
    void versionsAreNewestFirstAndAnUnknownNameListsTheKnownOnes() throws Exception {
        StoredDataset v1 = datasets.put("credit", List.of(write("1/credit.csv", "x\n1\n")), "s", "ana");
        StoredDataset v2 = datasets.put("credit", List.of(write("2/credit.csv", "x\n2\n")), "s", "ana");
        datasets.put("churn", List.of(write("churn.csv", "x\n3\n")), "s", "ana");
        assertThat(datasets.versions("credit")).containsExactly(v2, v1);
        assertKiln(() -> datasets.versions("nope"), ErrorCode.DATASET_NOT_FOUND, "'nope'", "churn, credit");
        assertKiln(() -> datasets.versions("../x"), ErrorCode.INVALID_ARGUMENT, "not a valid dataset name");
        assertKiln(() -> datasets.put("bad name", List.of(write("z.csv", "x\n1\n")), "s", "ana"), ErrorCode.INVALID_ARGUMENT,
                "'bad name'");
    }

    @Test
    void aVersionIsFoundByAUniquePrefixOfAtLeastSixDigits() throws Exception {
        StoredDataset d = datasets.put("credit", List.of(write("credit.csv", "x\n1\n")), "s", "ana");
        assertThat(datasets.get(d.version())).isEqualTo(d);
        assertThat(datasets.get(d.version().substring(0, 6).toUpperCase())).isEqualTo(d);
        assertKiln(() -> datasets.get(d.version().substring(0, 5)), ErrorCode.INVALID_ARGUMENT, "at least 6 hex digits");
        String absent = (d.version().startsWith("0") ? "1" : "0") + d.version().substring(1);
        assertKiln(() -> datasets.get(absent), ErrorCode.DATASET_NOT_FOUND, absent);
        assertKiln(() -> datasets.get("credit"), ErrorCode.INVALID_ARGUMENT, "not a dataset version");
    }

    @Test
    void anAmbiguousPrefixListsTheCandidates() throws Exception {
        // Two contents whose versions share the first 6 hex digits: search small files until a pair turns up.
        java.util.Map<String, String> byPrefix = new java.util.HashMap<>();
        String[] pair = null;
        for (int i = 0; pair == null; i++) {
            String content = "x\n" + i + "\n";
            String prefix = Checksums.sha256(content.getBytes(StandardCharsets.UTF_8)).substring(0, 6);
            String earlier = byPrefix.putIfAbsent(prefix, content);
            if (earlier != null) {
                pair = new String[] {earlier, content};
            }
            if (i > 50_000_000) {
                throw new AssertionError("no collision found");
            }
        }
        StoredDataset a = datasets.put("a", List.of(write("a/d.csv", pair[0])), "s", "ana");
        StoredDataset b = datasets.put("b", List.of(write("b/d.csv", pair[1])), "s", "ana");
        String prefix = a.version().substring(0, 6);
        assertKiln(() -> datasets.get(prefix), ErrorCode.INVALID_ARGUMENT, "ambiguous", a.version(), b.version());
    }

    @Test
    void aTamperedMissingOrExtraStoredFileIsACorruptErrorNamingIt() throws Exception {
        StoredDataset one = datasets.put("one", List.of(write("one.csv", "x\n1\n")), "s", "ana");
        Files.writeString(datasets.path(one), "x\n9\n");
        assertKiln(() -> datasets.path(one), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "one.csv", "fails its checksum");

        StoredDataset two = datasets.put("two", List.of(write("t/a.csv", "x\n1\n"), write("t/b.csv", "x\n2\n")), "s", "ana");
        Path dir = datasets.path(two);
        Files.writeString(dir.resolve("c.csv"), "x\n3\n");
        assertKiln(() -> datasets.path(two), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "c.csv", "not part of the dataset");
        Files.delete(dir.resolve("c.csv"));
        Files.delete(dir.resolve("b.csv"));
        assertKiln(() -> datasets.path(two), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "b.csv", "is missing");
        // Putting the same content again repairs the damaged copy.
        datasets.put("two", List.of(work.resolve("t/a.csv"), work.resolve("t/b.csv")), "s", "ana");
        assertThat(datasets.path(two)).isEqualTo(dir);
    }

    @Test
    void aKilledPutLeavesOnlyATemporaryWhichIsIgnoredAndRemovedOnceStale() throws Exception {
        // What a put killed half-way through copying leaves: a hidden temporary with part of a file.
        Path datasetsDir = store.home().resolve("datasets");
        Path fresh = Files.createDirectory(datasetsDir.resolve(DatasetFiles.TEMP_PREFIX + "killed-now"));
        Files.writeString(fresh.resolve("credit.csv"), "x\n");
        Path old = Files.createDirectory(datasetsDir.resolve(DatasetFiles.TEMP_PREFIX + "killed-yesterday"));
        Files.writeString(old.resolve("credit.csv"), "x\n");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(2 * 86_400)));

        assertThat(datasets.names()).isEmpty();
        StoredDataset d = datasets.put("credit", List.of(write("credit.csv", "x\n1\n")), "s", "ana");
        assertThat(Files.readString(datasets.path(d))).isEqualTo("x\n1\n");
        store.close();
        store = KilnStore.open(home, currentUrl());
        assertThat(old).doesNotExist();
        assertThat(fresh).exists(); // may belong to a put still running in another process
        assertThat(store.datasets().versions("credit")).containsExactly(d);
        try (Stream<Path> dirs = Files.list(datasetsDir)) {
            assertThat(dirs.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactly(d.version());
        }
    }

    /** The URL to reopen the same database with (null: the default SQLite file under the home). */
    abstract String currentUrl();

    @Test
    void badInputIsRefusedClearly() throws Exception {
        assertKiln(() -> datasets.put("x", List.of(), "s", "ana"), ErrorCode.INVALID_ARGUMENT, "at least one file");
        assertKiln(() -> datasets.put("x", List.of(work.resolve("gone.csv")), "s", "ana"), ErrorCode.FILE_NOT_FOUND, "gone.csv");
        assertKiln(() -> datasets.put("x", List.of(work), "s", "ana"), ErrorCode.INVALID_ARGUMENT, "not a regular file");
        Path f = write("f.csv", "x\n1\n");
        assertKiln(() -> datasets.put("x", List.of(f, f), "s", "ana"), ErrorCode.INVALID_ARGUMENT, "f.csv");
        assertKiln(() -> datasets.put("x", List.of(f), "s", " "), ErrorCode.INVALID_ARGUMENT, "actor");
        StoredDataset d = datasets.put("x", List.of(f), "jdbc:postgresql://db/shop?user=k&password=hunter2", "ana");
        assertThat(d.source()).isEqualTo("jdbc:postgresql://db/shop?user=k");
    }

    @Test
    void aProfileIsKeptBesideTheVersionCheckedAndSharedByItsNames() throws Exception {
        Path f = write("credit.csv", "age,job\n31,clerk\n");
        StoredDataset d = datasets.put("credit", List.of(f), "credit.csv", "ana");
        assertThat(datasets.profile(d)).as("nothing profiled yet").isEmpty();
        var column = new dev.kiln.runtime.profile.ColumnProfile("age", "integer", 1, 0, 1, 31.0, 31.0, 31.0, null,
                java.util.Map.of("p50", 31.0), new dev.kiln.runtime.profile.ColumnProfile.Histogram(new double[] {31, 31},
                new long[] {1}), null);
        var profile = new dev.kiln.runtime.profile.DatasetProfile("credit.csv", d.version(), 1, List.of(column));
        datasets.putProfile(d, profile);
        var back = datasets.profile(d).orElseThrow();
        assertThat(back.rows()).isEqualTo(1);
        assertThat(back.columns().get(0).histogram().counts()).containsExactly(1);
        assertThat(back.columns().get(0).mean()).isEqualTo(31.0);
        StoredDataset other = datasets.put("loans", List.of(f), "credit.csv", "ana");
        assertThat(datasets.profile(other)).as("the same content under another name").isPresent();

        Path file = home.resolve("datasets/.profiles/" + d.version() + ".json");
        assertThat(file).exists();
        Files.writeString(file, Files.readString(file).replace("31.0", "32.0"));
        assertThat(datasets.profile(d)).as("a changed file fails its checksum and counts as none").isEmpty();
        Files.writeString(file, "{not json");
        assertThat(datasets.profile(d)).as("an unreadable file counts as none").isEmpty();
        datasets.putProfile(d, profile);
        assertThat(datasets.profile(d)).as("written again").isPresent();
        var older = (com.fasterxml.jackson.databind.node.ObjectNode) dev.kiln.runtime.Json.mapper().readTree(file.toFile());
        older.put("format", DatasetProfileFiles.FORMAT - 1);
        dev.kiln.runtime.Json.mapper().writeValue(file.toFile(), older);
        assertThat(datasets.profile(d)).as("one an older Kiln wrote (true/false for yes/no) counts as none").isEmpty();
        datasets.putProfile(d, profile);
        assertThat(datasets.path(d)).as("the profile is not part of the content").exists();

        var wrong = new dev.kiln.runtime.profile.DatasetProfile("x.csv", "0".repeat(64), 1, List.of(column));
        assertKiln(() -> datasets.putProfile(d, wrong), dev.kiln.runtime.ErrorCode.INVALID_ARGUMENT, "not of version");
    }

    @Test
    void aProfileBesideADatasetOfSeveralFilesLeavesItsCheckIntact() throws Exception {
        Path a = write("parts/a.csv", "x\n1\n");
        Path b = write("parts/b.csv", "x\n2\n");
        StoredDataset d = datasets.put("parts", List.of(a, b), "parts/", "ana");
        datasets.putProfile(d, new dev.kiln.runtime.profile.DatasetProfile("parts", d.version(), 2, List.of()));
        assertThat(datasets.files(d)).as("no extra file inside the version's directory").hasSize(2);
        assertThat(datasets.profile(d)).isPresent();
    }
}
