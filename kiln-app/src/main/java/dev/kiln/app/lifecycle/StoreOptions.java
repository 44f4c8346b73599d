package dev.kiln.app.lifecycle;

import dev.kiln.store.KilnStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where Kiln keeps its state: {@code --home} (artifacts, default store) and {@code --store} (a JDBC URL). */
public final class StoreOptions {
    @Option(names = "--home", paramLabel = "DIR", description = "Kiln home (default: $KILN_HOME, else ./.kiln)")
    Path home;

    @Option(names = "--store", paramLabel = "JDBC_URL",
            description = "tracking and registry database (default: $KILN_STORE, else SQLite HOME/kiln.db); e.g. jdbc:postgresql://host/db")
    String store;

    public Path home() {
        return Home.resolve(home);
    }

    /** The store's JDBC URL as given (option, then $KILN_STORE); null for the home's SQLite file. */
    public String url() {
        return dev.kiln.store.KilnHome.storeUrl(store);
    }

    public KilnStore open() {
        return KilnStore.open(home(), url());
    }
}
