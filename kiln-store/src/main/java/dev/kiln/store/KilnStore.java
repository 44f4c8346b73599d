package dev.kiln.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The Kiln store: tracking, registry, alerts, datasets, deployments and artifact store over one JDBC database — a SQLite file
 * {@code HOME/kiln.db} by default, or PostgreSQL by URL — migrated by Flyway when opened.
 */
public final class KilnStore implements AutoCloseable {
    /** SQLite waits this long for another writer's lock before a transaction is retried. */
    static final int SQLITE_BUSY_TIMEOUT_MS = 15_000;
    private static final Pattern PASSWORD = Pattern.compile("(?i)([?&;])password=[^&;]*(&|;)?");
    /**
     * The versions of the migrations under {@code db/migration}; a test keeps this in step with the files.
     * When all are applied, opening skips Flyway.
     */
    static final List<String> MIGRATIONS = List.of("1", "2", "3", "4", "5", "6", "6.1", "7");
    /** One migration at a time inside this JVM; the file lock serialises processes. */
    private static final ReentrantLock MIGRATE_IN_JVM = new ReentrantLock();

    private final Path home;
    private final Db db;
    private final ArtifactStore artifacts;
    private final JdbcTrackingStore tracking;
    private final JdbcModelRegistry registry;
    private final JdbcAlertStore alerts;
    private final JdbcPipelineStore pipelines;
    private final JdbcDatasetStore datasets;
    private final JdbcPipelineLocks pipelineLocks;
    private final JdbcDeploymentStore deployments;

    private KilnStore(Path home, Db db, ArtifactStore artifacts) {
        this.home = home;
        this.db = db;
        this.artifacts = artifacts;
        this.tracking = new JdbcTrackingStore(db, artifacts);
        this.registry = new JdbcModelRegistry(db, artifacts);
        this.alerts = new JdbcAlertStore(db);
        this.pipelines = new JdbcPipelineStore(db);
        this.datasets = new JdbcDatasetStore(db, home);
        this.pipelineLocks = new JdbcPipelineLocks(db);
        this.deployments = new JdbcDeploymentStore(db);
    }

    /**
     * Opens (creating and migrating when needed) the store of the Kiln home {@code home}: the SQLite file
     * {@code home/kiln.db} when {@code jdbcUrlOrNull} is null, else the database at the URL
     * ({@code jdbc:postgresql://…}, or {@code jdbc:sqlite:FILE}). Artifacts always live under the home.
     */
    public static KilnStore open(Path home, String jdbcUrlOrNull) {
        Path h = home.toAbsolutePath().normalize();
        try {
            Files.createDirectories(h);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot create the Kiln home " + h + ": " + e.getMessage(),
                    Map.of("home", h.toString()), e);
        }
        String url = jdbcUrlOrNull == null || jdbcUrlOrNull.isBlank() ? null : jdbcUrlOrNull.trim();
        Db db;
        if (url == null || url.startsWith("jdbc:sqlite:")) {
            Path file = url == null ? h.resolve("kiln.db") : Path.of(url.substring("jdbc:sqlite:".length()));
            db = withMigrationLock(h, () -> migrated(sqlite(file)));
        } else if (url.startsWith("jdbc:postgresql:")) {
            db = migrated(postgres(url)); // Flyway holds a PostgreSQL advisory lock while it migrates
        } else {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unsupported store URL '" + redact(url)
                    + "': use jdbc:postgresql://HOST[:PORT]/DATABASE, jdbc:sqlite:FILE, or none for HOME/kiln.db",
                    Map.of("store", redact(url)));
        }
        try {
            return new KilnStore(h, db, new ArtifactStore(h));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public TrackingStore tracking() {
        return tracking;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Monitoring alerts and their evidence. */
    public AlertStore alerts() {
        return alerts;
    }

    /** Pipeline runs and the stage cache. */
    public PipelineStore pipelines() {
        return pipelines;
    }

    /** Named, content-addressed dataset versions, their files under {@code home/datasets}. */
    public DatasetStore datasets() {
        return datasets;
    }

    /** The run lock of each pipeline: one run of a pipeline at a time, across processes. */
    public PipelineLocks pipelineLocks() {
        return pipelineLocks;
    }

    /** The running {@code kiln serve} processes, with their heartbeats and what they serve. */
    public DeploymentStore deployments() {
        return deployments;
    }

    /** The content-addressed artifact store under {@code home/artifacts}. */
    public ArtifactStore artifacts() {
        return artifacts;
    }

    public Path home() {
        return home;
    }

    /** The store's JDBC URL without any password. */
    public String url() {
        return redact(db.url());
    }

    /** For tests in this package: the database underneath. */
    Db db() {
        return db;
    }

    @Override
    public void close() {
        db.close();
    }

    static String redact(String url) {
        String out = PASSWORD.matcher(url).replaceAll(m -> m.group(2) == null ? "" : m.group(1));
        return out.endsWith("?") || out.endsWith("&") ? out.substring(0, out.length() - 1) : out;
    }

    // ---------------------------------------------------------------- opening

    private static Db sqlite(Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            if (f.getParent() != null) {
                Files.createDirectories(f.getParent());
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot create " + f.getParent() + ": " + e.getMessage(),
                    Map.of("path", f.toString()), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL); // durable in WAL mode up to the last commits
        config.enforceForeignKeys(true);
        // 32 MiB of page cache per connection (SQLite's default is 2 MiB): a run search at 10,000 runs reads a few MiB
        // of runs, latest metrics and params, which then stay in memory instead of being read again on every page.
        config.setCacheSize(-32_768);
        String url = "jdbc:sqlite:" + f;
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(url);
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName("kiln-store-sqlite");
        hc.setMaximumPoolSize(4);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(60_000);
        return new Db(pool(hc, url), Db.Dialect.SQLITE, url);
    }

    private static Db postgres(String url) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setDriverClassName("org.postgresql.Driver");
        hc.setPoolName("kiln-store-postgresql");
        hc.setMaximumPoolSize(8);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(30_000);
        return new Db(pool(hc, url), Db.Dialect.POSTGRESQL, url);
    }

    private static HikariDataSource pool(HikariConfig hc, String url) {
        try {
            return new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new KilnException(ErrorCode.INTERNAL, "cannot connect to the Kiln store " + redact(url) + ": " + cause.getMessage(),
                    Map.of("store", redact(url)), e);
        }
    }

    private static Db migrated(Db db) {
        if (upToDate(db)) {
            return db; // skips Flyway's start-up (about half a second) on every open of a current store
        }
        String id = db.dialect() == Db.Dialect.SQLITE
                ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
        try {
            Flyway.configure(KilnStore.class.getClassLoader())
                    .dataSource(db.pool())
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("id", id))
                    // V6 (latest_metrics) was written beside V6.1 and V7; a store that got those first takes V6 after
                    // them (it only adds a table and indexes) instead of refusing to open.
                    .outOfOrder(true)
                    .loggers("slf4j")
                    .cleanDisabled(true)
                    .load()
                    .migrate();
            return db;
        } catch (FlywayException e) {
            db.close();
            throw new KilnException(ErrorCode.INTERNAL, "cannot migrate the Kiln store " + redact(db.url()) + ": " + e.getMessage(),
                    Map.of("store", redact(db.url())), e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Whether every migration in {@link #MIGRATIONS} is recorded as applied successfully. */
    private static boolean upToDate(Db db) {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            Set<String> applied = new HashSet<>();
            while (rs.next()) {
                if (!rs.getBoolean(2)) {
                    return false;
                }
                applied.add(rs.getString(1));
            }
            return applied.containsAll(MIGRATIONS);
        } catch (SQLException e) {
            return false; // no history table yet: a new database
        }
    }

    private interface Opener {
        Db open();
    }

    /**
     * SQLite has no lock Flyway can hold across processes, so first opens are serialised with an
     * exclusive lock on {@code home/.migrate.lock} (and a JVM lock, since file locks are per process).
     */
    private static Db withMigrationLock(Path home, Opener opener) {
        MIGRATE_IN_JVM.lock();
        try (FileChannel ch = FileChannel.open(home.resolve(".migrate.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            try {
                return opener.open();
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot lock " + home.resolve(".migrate.lock") + ": " + e.getMessage(),
                    Map.of("home", home.toString()), e);
        } finally {
            MIGRATE_IN_JVM.unlock();
        }
    }
}
