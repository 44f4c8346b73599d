package dev.kiln.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate process for {@link MultiProcessTest}: {@code open HOME GO}, {@code register HOME GO MODEL BUNDLE}
 * or {@code loop HOME GO MODEL WORKDIR}. Each waits for the file GO before acting, so that several processes
 * act at once, and prints what it did on stdout.
 */
public final class StoreWorker {
    private StoreWorker() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path home = Path.of(args[1]);
        Path go = Path.of(args[2]);
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(5);
        }
        switch (mode) {
            case "open" -> {
                try (KilnStore store = KilnStore.open(home, null)) {
                    System.out.println("opened " + store.tracking().experiment("shared").id());
                }
            }
            case "register" -> {
                try (KilnStore store = KilnStore.open(home, null)) {
                    ModelVersion v = store.registry().register(args[3], Path.of(args[4]), null, "worker", null);
                    System.out.println("version " + v.version());
                }
            }
            case "loop" -> {
                // Registers new bundles until killed; owns a RUNNING run the whole time.
                KilnStore store = KilnStore.open(home, null);
                Run run = store.tracking().startRun("crash", null, "loop", Map.of());
                System.out.println("run " + run.id());
                Path work = Path.of(args[4]);
                for (int i = 0; ; i++) {
                    Path b = TestBundles.write(work.resolve("b" + i), i);
                    store.tracking().logMetric(run.id(), "i", i, i);
                    ModelVersion v = store.registry().register(args[3], b, run.id(), "worker", null);
                    System.out.println("version " + v.version());
                    System.out.flush();
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }
}
