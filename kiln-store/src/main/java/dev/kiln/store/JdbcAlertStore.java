package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

final class JdbcAlertStore implements AlertStore {
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final String COLUMNS = "id, model, version, rule, kind, severity, status, message, evidence, "
            + "first_seen_at, last_seen_at, resolved_at, times_seen, resolved_by, resolve_reason";
    /** Longest reason a person may give when resolving an alert. */
    static final int MAX_REASON_CHARS = 2_000;

    private final Db db;

    JdbcAlertStore(Db db) {
        this.db = db;
    }

    @Override
    public Fired fire(String model, Integer version, String rule, String kind, String severity, String message,
                      Map<String, Object> evidence, Instant at) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(rule, "rule");
        if (!SEVERITIES.contains(severity)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "alert severity must be info, warning or critical, not '"
                    + severity + "'", Map.of("field", "severity"));
        }
        String json = Db.toJson(evidence == null ? Map.of() : evidence);
        long now = at.toEpochMilli();
        return db.write(c -> {
            // Insert unless an alert is open; under PostgreSQL's read committed two evaluators may both find none,
            // and the partial unique index then lets exactly one insert land: the other updates instead.
            int inserted = Db.update(c, "INSERT INTO alerts (model, version, rule, kind, severity, status, message, evidence, "
                    + "first_seen_at, last_seen_at, times_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
                    + "ON CONFLICT (model, rule) WHERE status = 'open' DO NOTHING",
                    model, version, rule, kind, severity, Alert.OPEN, message, json, now, now);
            if (inserted == 1) {
                return new Fired(openAlert(c, model, rule).orElseThrow(), true);
            }
            Db.update(c, "UPDATE alerts SET version = ?, kind = ?, severity = ?, message = ?, evidence = ?, "
                    + "last_seen_at = ?, times_seen = times_seen + 1 WHERE model = ? AND rule = ? AND status = ?",
                    version, kind, severity, message, json, now, model, rule, Alert.OPEN);
            return new Fired(openAlert(c, model, rule).orElseThrow(), false);
        });
    }

    @Override
    public Optional<Alert> resolve(String model, String rule, Instant at) {
        return db.write(c -> {
            Optional<Alert> open = openAlert(c, model, rule);
            if (open.isEmpty()) {
                return Optional.empty();
            }
            Db.update(c, "UPDATE alerts SET status = ?, resolved_at = ? WHERE id = ?", Alert.RESOLVED,
                    at.toEpochMilli(), open.get().id());
            return byId(c, open.get().id());
        });
    }

    @Override
    public Alert resolve(long id, String actor, String reason, Instant at) {
        if (actor == null || actor.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "resolving an alert needs who resolves it", Map.of("field", "actor"));
        }
        if (reason == null || reason.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "resolving an alert needs a reason", Map.of("field", "reason"));
        }
        if (reason.length() > MAX_REASON_CHARS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the reason is " + reason.length() + " characters; at most "
                    + MAX_REASON_CHARS, Map.of("field", "reason"));
        }
        return db.write(c -> {
            Alert alert = byId(c, id).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND, "no alert " + id,
                    Map.of("alert", id)));
            // The status in the WHERE makes a race of two resolvers land once: the other changes no row.
            int changed = alert.open() ? Db.update(c, "UPDATE alerts SET status = ?, resolved_at = ?, resolved_by = ?, "
                    + "resolve_reason = ? WHERE id = ? AND status = ?", Alert.RESOLVED, at.toEpochMilli(), actor, reason.strip(),
                    id, Alert.OPEN) : 0;
            if (changed == 0) {
                Alert now = byId(c, id).orElseThrow();
                Map<String, Object> details = new java.util.LinkedHashMap<>();
                details.put("alert", id);
                details.put("resolved_at", String.valueOf(now.resolvedAt()));
                details.put("resolved_by", now.resolvedBy() == null ? "the monitor (its rule cleared)" : now.resolvedBy());
                throw new KilnException(ErrorCode.CONFLICT, "alert " + id + " is already resolved (at " + now.resolvedAt()
                        + " by " + details.get("resolved_by") + ")", details);
            }
            return byId(c, id).orElseThrow();
        });
    }

    @Override
    public List<Alert> list(String model, boolean openOnly, int limit) {
        if (limit <= 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "limit must be positive, not " + limit);
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM alerts WHERE 1 = 1");
        List<Object> args = new java.util.ArrayList<>();
        if (model != null) {
            sql.append(" AND model = ?");
            args.add(model);
        }
        if (openOnly) {
            sql.append(" AND status = ?");
            args.add(Alert.OPEN);
        }
        sql.append(" ORDER BY id DESC LIMIT ").append(limit);
        return db.read(c -> Db.list(c, sql.toString(), JdbcAlertStore::alert, args.toArray()));
    }

    @Override
    public Optional<Alert> get(long id) {
        return db.read(c -> byId(c, id));
    }

    private static Optional<Alert> openAlert(Connection c, String model, String rule) throws SQLException {
        return Db.one(c, "SELECT " + COLUMNS + " FROM alerts WHERE model = ? AND rule = ? AND status = ?",
                JdbcAlertStore::alert, model, rule, Alert.OPEN);
    }

    private static Optional<Alert> byId(Connection c, long id) throws SQLException {
        return Db.one(c, "SELECT " + COLUMNS + " FROM alerts WHERE id = ?", JdbcAlertStore::alert, id);
    }

    private static Alert alert(ResultSet rs) throws SQLException {
        Long resolved = Db.nullableLong(rs, "resolved_at");
        return new Alert(rs.getLong("id"), rs.getString("model"), Db.nullableInt(rs, "version"), rs.getString("rule"),
                rs.getString("kind"), rs.getString("severity"), rs.getString("status"), rs.getString("message"),
                Db.jsonObject(rs.getString("evidence")), Instant.ofEpochMilli(rs.getLong("first_seen_at")),
                Instant.ofEpochMilli(rs.getLong("last_seen_at")), resolved == null ? null : Instant.ofEpochMilli(resolved),
                rs.getLong("times_seen"), rs.getString("resolved_by"), rs.getString("resolve_reason"));
    }
}
