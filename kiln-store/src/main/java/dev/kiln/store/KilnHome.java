package dev.kiln.store;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

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

    /** A fresh bundle directory under the home, named after the dataset's file name (without extension) and the time. */
    public static Path newBundleDir(Path home, String dataFileName) {
        String stem = dataFileName.replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_-]", "_");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        return home.resolve("bundles").resolve(stem + "-" + stamp);
    }
}
