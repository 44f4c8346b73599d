package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link DeploymentStore} as rows of {@code deployments}. Live or lost is decided on reading, with this store's
 * clock (tests give their own), so a reader on another host judges a deployment by the store's times alone.
 */
final class JdbcDeploymentStore implements DeploymentStore {
    private static final String COLUMNS = "id, url, host, pid, started_at, heartbeat_at, heartbeat_ms, kiln_version, log_dir, status";
    private static final int MAX_URL = 2048;
    private static final int MAX_VERSION = 64;

    private final Db db;
    private final Clock clock;
    private final String host;
    private final long pid;

    JdbcDeploymentStore(Db db) {
        this(db, Clock.systemUTC(), JdbcTrackingStore.HOST, JdbcTrackingStore.PID);
    }

    /** For tests: another clock, or another process identity. */
    JdbcDeploymentStore(Db db, Clock clock, String host, long pid) {
        this.db = db;
        this.clock = clock;
        this.host = host;
        this.pid = pid;
    }

    @Override
    public Deployment register(Registration r, Map<String, Object> status, Instant startedAt) {
        require("url", r.url(), MAX_URL);
        require("kiln_version", r.kilnVersion(), MAX_VERSION);
        Duration every = r.heartbeatInterval();
        if (every == null || every.isNegative() || every.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a deployment's heartbeat interval must be positive, not " + every,
                    Map.of("field", "heartbeat_interval"));
        }
        String id = UUID.randomUUID().toString();
        String json = Db.toJson(status == null ? Map.of() : status);
        long started = startedAt.toEpochMilli();
        db.write(c -> Db.update(c, "INSERT INTO deployments (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, r.url(), host, pid, started, started, every.toMillis(), r.kilnVersion(), r.logDir(), json));
        return get(id).orElseThrow();
    }

    @Override
    public boolean heartbeat(String id, Map<String, Object> status, Instant at) {
        String json = Db.toJson(status == null ? Map.of() : status);
        return db.write(c -> Db.update(c, "UPDATE deployments SET heartbeat_at = ?, status = ? WHERE id = ?",
                at.toEpochMilli(), json, id)) == 1;
    }

    @Override
    public boolean deregister(String id) {
        return db.write(c -> Db.update(c, "DELETE FROM deployments WHERE id = ?", id)) == 1;
    }

    @Override
    public List<Deployment> list() {
        long now = clock.millis();
        List<Deployment> all = new ArrayList<>(db.read(c -> Db.list(c, "SELECT " + COLUMNS + " FROM deployments",
                rs -> deployment(rs, now))));
        all.sort(Comparator.comparing((Deployment d) -> !d.live()).thenComparing(Deployment::url).thenComparing(Deployment::id));
        return all;
    }

    @Override
    public Optional<Deployment> get(String id) {
        long now = clock.millis();
        return db.read(c -> Db.one(c, "SELECT " + COLUMNS + " FROM deployments WHERE id = ?", rs -> deployment(rs, now), id));
    }

    @Override
    public int prune() {
        long cutoff = clock.millis() - PRUNE_AFTER.toMillis();
        return db.write(c -> Db.update(c, "DELETE FROM deployments WHERE heartbeat_at < ?", cutoff));
    }

    private static Deployment deployment(ResultSet rs, long now) throws SQLException {
        long beat = rs.getLong("heartbeat_at");
        long every = rs.getLong("heartbeat_ms");
        long age = Math.max(0, now - beat);
        String state = age > LOST_AFTER_HEARTBEATS * every ? Deployment.LOST : Deployment.LIVE;
        return new Deployment(rs.getString("id"), rs.getString("url"), rs.getString("host"), rs.getLong("pid"),
                Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(beat), Duration.ofMillis(every),
                rs.getString("kiln_version"), rs.getString("log_dir"), Db.jsonObject(rs.getString("status")),
                Duration.ofMillis(age), state);
    }

    private static void require(String field, String value, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a deployment's " + field + " must be 1 to " + max
                    + " characters, not '" + value + "'", Map.of("field", field));
        }
    }
}
