package dev.kiln.app.ui;

import dev.kiln.app.server.ApiServer;
import dev.kiln.app.server.ApiTokens;
import dev.kiln.app.server.MonitoringSources;
import dev.kiln.app.server.Role;
import dev.kiln.store.KilnStore;
import java.nio.file.Path;

/**
 * A real {@code kiln server} for browser tests: the store of {@code home} (SQLite) and the API with the UI on a free
 * loopback port. Open mode unless tokens were added to the home before {@link #start}.
 */
public final class UiServer implements AutoCloseable {
    public final Path home;
    public final KilnStore store;
    public final ApiServer server;

    private UiServer(Path home, KilnStore store, ApiServer server) {
        this.home = home;
        this.store = store;
        this.server = server;
    }

    public static UiServer start(Path home) {
        KilnStore store = KilnStore.open(home, null);
        try {
            return new UiServer(home, store, ApiServer.start(store, ApiTokens.load(home), null, 0));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Reading the prediction logs in {@code logs} for the monitoring page ({@code kiln server --log-dir}). */
    public static UiServer start(Path home, MonitoringSources logs) {
        KilnStore store = KilnStore.open(home, null);
        try {
            return new UiServer(home, store, ApiServer.start(store, ApiTokens.load(home), null, 0, logs));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Adds an API token to the home (before {@link #start}, or for a running server: it takes it within a second). */
    public static String addToken(Path home, String name, Role role) {
        return ApiTokens.add(home, name, role).token();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            store.close();
        }
    }
}
