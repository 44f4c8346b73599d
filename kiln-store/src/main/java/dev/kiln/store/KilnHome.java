package dev.kiln.store;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where Kiln keeps its state, as every command resolves it ({@code kiln} and {@code kiln spark} alike): the home
 * ({@code --home DIR}, else {@code KILN_HOME}, else {@code ./.kiln}), the store's JDBC URL ({@code --store}, else
 * {@code KILN_STORE}, else the home's SQLite file) and fresh bundle directories under the home.
 */
public final class KilnHome {
    private KilnHome() {
    }

    public static Path resolve(Path option) {
        if (option != null) {
            return option.toAbsolutePath().normalize();
        }
        String env = System.getenv("KILN_HOME");
        return (env != null && !env.isBlank() ? Path.of(env) : Path.of(".kiln")).toAbsolutePath().normalize();
    }

    /** The store's JDBC URL as given (option, then {@code KILN_STORE}); null for the home's SQLite file. */
    public static String storeUrl(String option) {
        String url = option != null ? option : System.getenv("KILN_STORE");
        return url == null || url.isBlank() ? null : url;
    }

    /** The last millisecond a bundle directory of this process was named after (each name takes a later one). */
    private static final AtomicLong LAST_STAMP = new AtomicLong();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    /**
     * A fresh bundle directory under the home, named after the dataset's file name (without extension), the time and
     * this process's id: processes training at the same moment (a pipeline's parallel runs, four `kiln train`s started
     * together) get different directories, where the time alone, to the millisecond, gave two of them the same one and
     * the later writer failed with {@code conflict}. Within a process every name takes a later millisecond.
     */
    public static Path newBundleDir(Path home, String dataFileName) {
        String stem = dataFileName.replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_-]", "_");
        long millis = LAST_STAMP.updateAndGet(last -> Math.max(System.currentTimeMillis(), last + 1));
        String stamp = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).format(STAMP);
        return home.resolve("bundles").resolve(stem + "-" + stamp + "-" + ProcessHandle.current().pid());
    }
}
