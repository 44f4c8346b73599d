package dev.kiln.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.zaxxer.hikari.HikariDataSource;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JDBC plumbing shared by the tracking store and the registry: one transaction per call, retried when
 * the database reports lock contention (SQLite busy, PostgreSQL serialization failure or deadlock).
 * Plain JDBC on purpose: SQLite write transactions must start with {@code BEGIN IMMEDIATE}, issued here
 * explicitly, so that writers queue on SQLite's busy handler instead of failing on a lock upgrade.
 */
final class Db implements AutoCloseable {
    enum Dialect { SQLITE, POSTGRESQL }

    /** Attempts of one transaction before a lock failure is reported. */
    static final int MAX_ATTEMPTS = 8;

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** SQLite: every this many write transactions, look at the write-ahead log's size. */
    static final long WAL_CHECK_EVERY = 256;
    /** SQLite: a write-ahead log past this size is checkpointed and truncated. */
    static final long WAL_LIMIT_BYTES = 64L << 20;
    /** SQLite: how long trimming the log waits for readers before leaving it for the next check. */
    static final int WAL_TRIM_WAIT_MS = 250;

    private final HikariDataSource pool;
    private final AtomicLong writes = new AtomicLong();
    private volatile long walLimitBytes = WAL_LIMIT_BYTES;
    private final Dialect dialect;
    private final String url;

    Db(HikariDataSource pool, Dialect dialect, String url) {
        this.pool = pool;
        this.dialect = dialect;
        this.url = url;
    }

    Dialect dialect() {
        return dialect;
    }

    String url() {
        return url;
    }

    HikariDataSource pool() {
        return pool;
    }

    /** Runs {@code work} in one write transaction, retrying on lock contention. */
    <T> T write(Work<T> work) {
        return run(work, true);
    }

    /** Runs {@code work} on one connection in auto-commit mode. */
    <T> T read(Work<T> work) {
        return run(work, false);
    }

    private <T> T run(Work<T> work, boolean transaction) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                if (!transaction) {
                    return work.run(c);
                }
                begin(c);
                boolean committed = false;
                try {
                    T result = work.run(c);
                    commit(c);
                    committed = true;
                    if (dialect == Dialect.SQLITE && writes.incrementAndGet() % WAL_CHECK_EVERY == 0) {
                        trimWal(c);
                    }
                    return result;
                } finally {
                    if (!committed) {
                        rollback(c);
                    }
                }
            } catch (SQLException e) {
                if (attempt < MAX_ATTEMPTS && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw failure(e);
            }
        }
    }

    /**
     * SQLite checkpoints its write-ahead log after commits, but only rewinds it when no reader is still using it;
     * under a steady stream of writers and readers (training scripts logging through the API) that moment never
     * comes and the log grows without bound (2.5 GB after 30,000 API writes in bench/ui), which slows every read.
     * Past {@link #WAL_LIMIT_BYTES} a TRUNCATE checkpoint waits up to {@link #WAL_TRIM_WAIT_MS} for the readers of the
     * moment, copies the log into the database and empties it. Failing that is not the caller's problem: the next
     * check tries again.
     */
    private void trimWal(Connection c) {
        try {
            java.nio.file.Path wal = java.nio.file.Path.of(url.substring("jdbc:sqlite:".length()) + "-wal");
            if (java.nio.file.Files.exists(wal) && java.nio.file.Files.size(wal) > walLimitBytes) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout = " + WAL_TRIM_WAIT_MS); // a long reader delays this write only so long
                    try {
                        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    } finally {
                        s.execute("PRAGMA busy_timeout = " + KilnStore.SQLITE_BUSY_TIMEOUT_MS);
                    }
                }
            }
        } catch (java.io.IOException | SQLException | RuntimeException e) {
            // the data is committed; the log stays as it is until the next check
        }
    }

    /** For tests: a smaller log limit. */
    void walLimitBytes(long bytes) {
        this.walLimitBytes = bytes;
    }

    private void begin(Connection c) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            // Auto-commit stays on for the driver; SQLite's own BEGIN takes the write lock up front.
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
        } else {
            c.setAutoCommit(false);
        }
    }

    private void commit(Connection c) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
        } else {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    private void rollback(Connection c) {
        try {
            if (dialect == Dialect.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
            } else {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // SQLite answers "no transaction is active" when the failure already rolled it back. Anything
            // else leaves the connection in doubt: drop it from the pool rather than hand it out again.
            if (dialect != Dialect.SQLITE || !String.valueOf(e.getMessage()).contains("no transaction is active")) {
                pool.evictConnection(c);
            }
        }
    }

    boolean retryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (dialect == Dialect.SQLITE) {
                    int primary = s.getErrorCode() & 0xff;
                    if (primary == 5 || primary == 6) { // SQLITE_BUSY, SQLITE_LOCKED
                        return true;
                    }
                } else {
                    String state = s.getSQLState();
                    if ("40001".equals(state) || "40P01".equals(state) || "55P03".equals(state)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void backoff(int attempt) {
        long ms = Math.min(1000, 10L << Math.min(attempt, 6)) + ThreadLocalRandom.current().nextLong(20);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException(ErrorCode.INTERNAL, "interrupted while waiting for the Kiln store's lock");
        }
    }

    KilnException failure(SQLException e) {
        String what = retryable(e) ? "the Kiln store stayed locked by other writers" : "the Kiln store failed";
        return new KilnException(ErrorCode.INTERNAL, what + " (" + url + "): " + e.getMessage(),
                Map.of("store", url, "sqlState", String.valueOf(e.getSQLState())), e);
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- small statement helpers ----

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** One statement run for each row of arguments, as a JDBC batch. */
    static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                bind(ps, row);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> all = list(c, sql, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (a instanceof String s) {
                ps.setString(i + 1, s);
            } else if (a instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (a instanceof Long n) {
                ps.setLong(i + 1, n);
            } else if (a instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else {
                throw new IllegalArgumentException("unsupported parameter type " + a.getClass());
            }
        }
    }

    /** "?, ?, ?" for an IN list. */
    static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    /** Doubles come back as stored; NULL stands for NaN, which SQLite cannot store. */
    static double doubleOrNaN(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    static String toJson(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot store value as JSON: " + e.getOriginalMessage());
        }
    }

    static Map<String, Object> jsonObject(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return Collections.unmodifiableMap(Json.mapper().readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "the Kiln store holds invalid JSON: " + e.getOriginalMessage());
        }
    }

    static Map<String, Double> jsonDoubles(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return Collections.unmodifiableMap(Json.mapper().readValue(json, new TypeReference<LinkedHashMap<String, Double>>() { }));
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "the Kiln store holds invalid JSON: " + e.getOriginalMessage());
        }
    }
}
