package dev.kiln.store;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A separate process for {@link PipelineLockProcessTest}. {@code race HOME GO PIPELINE MARKER TIMES}: after the
 * file GO appears, takes the pipeline's lock TIMES times; while holding it, it creates the file MARKER (failing
 * if it exists, which would mean two holders at once: prints "overlap"), holds a moment, deletes it and
 * releases ("held"). {@code hold HOME PIPELINE}: takes the lock with a long lease, prints "held PID", and waits
 * to be killed.
 */
public final class PipelineLockWorker {
    private PipelineLockWorker() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "race" -> race(Path.of(args[1]), Path.of(args[2]), args[3], Path.of(args[4]), Integer.parseInt(args[5]));
            case "hold" -> hold(Path.of(args[1]), args[2]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void race(Path home, Path go, String pipeline, Path marker, int times) throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            System.out.println("ready");
            System.out.flush();
            while (!Files.exists(go)) {
                Thread.sleep(5);
            }
            String owner = "worker-" + ProcessHandle.current().pid();
            for (int held = 0; held < times; ) {
                Optional<PipelineLocks.Lease> lease = store.pipelineLocks().tryAcquire(pipeline, owner, Duration.ofSeconds(30));
                if (lease.isEmpty()) {
                    Thread.sleep(1);
                    continue;
                }
                try {
                    Files.createFile(marker);
                } catch (FileAlreadyExistsException e) {
                    System.out.println("overlap");
                }
                Thread.sleep(3);
                Files.deleteIfExists(marker);
                store.pipelineLocks().release(lease.get());
                held++;
                System.out.println("held");
                System.out.flush();
                Thread.sleep(2); // gives the other process its chance
            }
        }
    }

    private static void hold(Path home, String pipeline) throws Exception {
        KilnStore store = KilnStore.open(home, null);
        store.pipelineLocks().tryAcquire(pipeline, "holder", Duration.ofHours(1)).orElseThrow();
        System.out.println("held " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
