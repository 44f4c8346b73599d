package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Pipeline locks as rows of {@code pipeline_locks}. Taking a lock is one write transaction: an INSERT that does
 * nothing when a row exists, else a takeover UPDATE conditioned on the token read, so that of two racing takers
 * (serialised by SQLite's write lock, or by PostgreSQL's row lock and re-check under read committed) one wins.
 */
final class JdbcPipelineLocks implements PipelineLocks {
    private static final String COLUMNS = "pipeline, token, owner, host, pid, acquired_at, renewed_at, expires_at";

    /** One row as read. */
    private record Row(String pipeline, String token, String owner, String host, long pid, long acquiredAt,
                       long renewedAt, long expiresAt) {
        Holder holder() {
            return new Holder(pipeline, owner, host, pid, Instant.ofEpochMilli(acquiredAt), Instant.ofEpochMilli(renewedAt),
                    Instant.ofEpochMilli(expiresAt));
        }
    }

    private final Db db;
    private final Clock clock;
    private final String host;
    private final long pid;

    JdbcPipelineLocks(Db db) {
        this(db, Clock.systemUTC(), JdbcTrackingStore.HOST, JdbcTrackingStore.PID);
    }

    /** For tests: another clock, or another owner identity. */
    JdbcPipelineLocks(Db db, Clock clock, String host, long pid) {
        this.db = db;
        this.clock = clock;
        this.host = host;
        this.pid = pid;
    }

    @Override
    public Optional<Lease> tryAcquire(String pipeline, String owner, Duration lease) {
        requireName("pipeline", pipeline);
        requireName("owner", owner);
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a pipeline lock's lease must be positive, not " + lease,
                    Map.of("field", "lease"));
        }
        String token = UUID.randomUUID().toString();
        return db.write(c -> {
            long now = clock.millis();
            long expires = now + lease.toMillis();
            int inserted = Db.update(c, "INSERT INTO pipeline_locks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (pipeline) DO NOTHING", pipeline, token, owner, host, pid, now, now, expires);
            if (inserted == 0) {
                Optional<Row> current = row(c, pipeline);
                if (current.isPresent() && live(current.get(), now)) {
                    return Optional.<Lease>empty();
                }
                // Gone between the insert and the read (released), or stale: take it over only if it is still
                // the row we judged; a racing taker that changed it first makes this update miss.
                int taken = current.isEmpty()
                        ? Db.update(c, "INSERT INTO pipeline_locks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                + "ON CONFLICT (pipeline) DO NOTHING", pipeline, token, owner, host, pid, now, now, expires)
                        : Db.update(c, "UPDATE pipeline_locks SET token = ?, owner = ?, host = ?, pid = ?, acquired_at = ?, "
                                + "renewed_at = ?, expires_at = ? WHERE pipeline = ? AND token = ?",
                                token, owner, host, pid, now, now, expires, pipeline, current.get().token());
                if (taken == 0) {
                    return Optional.<Lease>empty();
                }
            }
            return Optional.of(new Lease(pipeline, token, owner, host, pid, Instant.ofEpochMilli(now),
                    Instant.ofEpochMilli(expires), lease));
        });
    }

    @Override
    public Lease renew(Lease lease) {
        return db.write(c -> {
            long now = clock.millis();
            long expires = now + lease.duration().toMillis();
            int n = Db.update(c, "UPDATE pipeline_locks SET renewed_at = ?, expires_at = ? WHERE pipeline = ? AND token = ?",
                    now, expires, lease.pipeline(), lease.token());
            if (n == 0) {
                Optional<Row> other = row(c, lease.pipeline());
                throw new KilnException(ErrorCode.CONFLICT, "the lock of pipeline '" + lease.pipeline() + "' was lost"
                        + other.map(r -> ": it is now held by " + r.holder().describe()).orElse(": it was released"),
                        Map.of("pipeline", lease.pipeline()));
            }
            return new Lease(lease.pipeline(), lease.token(), lease.owner(), lease.host(), lease.pid(), lease.acquiredAt(),
                    Instant.ofEpochMilli(expires), lease.duration());
        });
    }

    @Override
    public boolean release(Lease lease) {
        return db.write(c -> Db.update(c, "DELETE FROM pipeline_locks WHERE pipeline = ? AND token = ?",
                lease.pipeline(), lease.token()) == 1);
    }

    @Override
    public Optional<Holder> holder(String pipeline) {
        return db.read(c -> row(c, pipeline)).filter(r -> live(r, clock.millis())).map(Row::holder);
    }

    /** Whether a row still excludes others: not expired, and not owned by a dead process of this host. */
    private boolean live(Row r, long now) {
        if (r.expiresAt() <= now) {
            return false;
        }
        if (r.host().equals(host) && r.pid() != pid) {
            return ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false);
        }
        return true;
    }

    private static Optional<Row> row(Connection c, String pipeline) throws SQLException {
        return Db.one(c, "SELECT " + COLUMNS + " FROM pipeline_locks WHERE pipeline = ?", JdbcPipelineLocks::row, pipeline);
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString("pipeline"), rs.getString("token"), rs.getString("owner"), rs.getString("host"),
                rs.getLong("pid"), rs.getLong("acquired_at"), rs.getLong("renewed_at"), rs.getLong("expires_at"));
    }

    private static void requireName(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 200) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a pipeline lock's " + field
                    + " must be 1 to 200 characters, not '" + value + "'", Map.of("field", field));
        }
    }
}
