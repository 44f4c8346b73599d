package dev.kiln.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A separate process for {@link DatasetKillTest}: {@code put HOME DIR} stores every file of DIR as dataset "big". */
public final class DatasetWorker {
    private DatasetWorker() {
    }

    public static void main(String[] args) throws IOException {
        Path home = Path.of(args[1]);
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[2]))) {
            files = s.sorted().toList();
        }
        try (KilnStore store = KilnStore.open(home, null)) {
            System.out.println("opened");
            System.out.flush();
            StoredDataset d = store.datasets().put("big", files, args[2], "worker");
            System.out.println("stored " + d.version());
        }
    }
}
