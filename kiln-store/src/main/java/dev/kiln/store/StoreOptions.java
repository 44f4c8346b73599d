package dev.kiln.store;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where Kiln keeps its state: {@code --home} (artifacts, default store) and {@code --store} (a JDBC URL), the options
 * every command that reads the registry mixes in ({@code @Mixin}), on one machine and on Spark. Picocli is an optional
 * dependency of kiln-store: the command-line modules bring it.
 */
public class StoreOptions {
    @Option(names = "--home", paramLabel = "DIR", description = "Kiln home (default: $KILN_HOME, else ./.kiln)")
    Path home;

    @Option(names = "--store", paramLabel = "JDBC_URL",
            description = "tracking and registry database (default: $KILN_STORE, else SQLite HOME/kiln.db); e.g. jdbc:postgresql://host/db")
    String store;

    /** The Kiln home: {@code option} when given, else {@code $KILN_HOME}, else {@code ./.kiln}; absolute. */
    public static Path resolveHome(Path option) {
        if (option != null) {
            return option.toAbsolutePath().normalize();
        }
        String env = System.getenv("KILN_HOME");
        return (env != null && !env.isBlank() ? Path.of(env) : Path.of(".kiln")).toAbsolutePath().normalize();
    }

    public Path home() {
        return resolveHome(home);
    }

    /** The store's JDBC URL as given (option, then $KILN_STORE); null for the home's SQLite file. */
    public String url() {
        String url = store != null ? store : System.getenv("KILN_STORE");
        return url == null || url.isBlank() ? null : url;
    }

    public KilnStore open() {
        return KilnStore.open(home(), url());
    }
}
