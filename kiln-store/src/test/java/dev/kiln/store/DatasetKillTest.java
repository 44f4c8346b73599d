package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process killed (SIGKILL) while it copies a dataset into the store leaves no dataset, or a whole one. */
@Tag("slow")
class DatasetKillTest {
    private static final int FILES = 120;
    private static final int FILE_BYTES = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aPutKilledWhileCopyingLeavesNoDatasetAndTheNextPutSucceeds() throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        Random random = new Random(7);
        byte[] bytes = new byte[FILE_BYTES];
        for (int i = 0; i < FILES; i++) {
            random.nextBytes(bytes);
            Files.write(source.resolve(String.format("part-%03d.bin", i)), bytes);
        }
        Path home = dir.resolve("home");
        Path datasets = home.resolve("datasets");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", cp, DatasetWorker.class.getName(), "put", home.toString(), source.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.out").toFile()).start();
        // Kill it as soon as its temporary holds a few files, i.e. in the middle of the copy.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean midCopy = false;
        while (!midCopy && worker.isAlive() && System.nanoTime() < deadline) {
            midCopy = temporaries(datasets).stream().anyMatch(t -> count(t) >= 3);
            if (!midCopy) {
                Thread.sleep(1); // polls a condition with a deadline; leaves the CPU to the worker
            }
        }
        worker.destroyForcibly();
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(midCopy).as("the worker was seen copying: " + Files.readString(dir.resolve("worker.out"))).isTrue();

        try (KilnStore store = KilnStore.open(home, null)) {
            // Either the copy never got published (the usual case), or it did and is whole; never a part of it.
            List<Path> published = published(datasets);
            for (Path p : published) {
                try (Stream<Path> s = Files.list(p)) {
                    assertThat(s.count()).isEqualTo(FILES);
                }
            }
            StoreContract.assertKiln(() -> store.datasets().versions("big"), ErrorCode.DATASET_NOT_FOUND, "'big'");
            List<Path> files;
            try (Stream<Path> s = Files.list(source)) {
                files = s.sorted().toList();
            }
            StoredDataset d = store.datasets().put("big", files, source.toString(), "test");
            assertThat(store.datasets().files(d)).hasSize(FILES);
            assertThat(store.datasets().versions("big")).containsExactly(d);
            assertThat(published(datasets)).extracting(p -> p.getFileName().toString()).containsExactly(d.version());
        }
    }

    private static List<Path> temporaries(Path datasets) {
        return list(datasets).stream().filter(p -> p.getFileName().toString().startsWith(DatasetFiles.TEMP_PREFIX)).toList();
    }

    private static List<Path> published(Path datasets) {
        return list(datasets).stream().filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }

    private static List<Path> list(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return new ArrayList<>(s.toList());
        } catch (IOException e) {
            return List.of(); // not created yet, or a temporary renamed away while listing
        }
    }

    private static long count(Path d) {
        return list(d).size();
    }
}
