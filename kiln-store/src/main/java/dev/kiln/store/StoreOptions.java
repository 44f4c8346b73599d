package dev.kiln.store;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where Kiln keeps its state: {@code --home} (artifacts, default store) and {@code --store} (a JDBC URL), the options
 * every command that reads the registry mixes in ({@code @Mixin}), on one machine and on Spark. Picocli is an optional
 * dependency of kiln-store: the command-line modules bring it. How they resolve is {@link KilnHome}'s.
 */
public class StoreOptions {
    @Option(names = "--home", paramLabel = "DIR", description = "Kiln home (default: $KILN_HOME, else ./.kiln)")
    Path home;

    @Option(names = "--store", paramLabel = "JDBC_URL",
            description = "tracking and registry database (default: $KILN_STORE, else SQLite HOME/kiln.db); e.g. jdbc:postgresql://host/db")
    String store;

    public Path home() {
        return KilnHome.resolve(home);
    }

    /** The store's JDBC URL as given (option, then $KILN_STORE); null for the home's SQLite file. */
    public String url() {
        return KilnHome.storeUrl(store);
    }

    public KilnStore open() {
        return KilnStore.open(home(), url());
    }
}
