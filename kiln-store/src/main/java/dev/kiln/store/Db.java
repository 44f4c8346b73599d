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

    private final HikariDataSource pool;
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
