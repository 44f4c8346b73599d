package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link ModelRegistry} over the store's JDBC database. Each change locks the model's row first (an UPDATE
 * that changes nothing: a row lock on PostgreSQL, and SQLite's write transactions are exclusive anyway),
 * so concurrent changes to one model apply one after another and every event sees the state it changed.
 */
final class JdbcModelRegistry implements ModelRegistry {
    /** Registry lookups that find nothing use this NOT_FOUND-category code. */
    static final ErrorCode NOT_FOUND = ErrorCode.MODEL_NOT_FOUND;
    private static final int MAX_LISTED = 20;

    private final Db db;
    private final ArtifactStore artifacts;

    JdbcModelRegistry(Db db, ArtifactStore artifacts) {
        this.db = db;
        this.artifacts = artifacts;
    }

    static String actor(String actor) {
        return actor != null && !actor.isBlank() ? actor : System.getProperty("user.name", "unknown");
    }

    // ---------------------------------------------------------------- changes

    @Override
    public ModelVersion register(String model, Path bundleDirectory, String sourceRunId, String actor, String reason) {
        String name = ModelRef.checkName(model, model);
        String who = actor(actor);
        // Copied and verified before the transaction: a crash leaves at most an unreferenced bundle directory.
        String sha = artifacts.putBundle(bundleDirectory);
        BundleManifest m = artifacts.storedManifest(sha);
        String algorithm = m.algorithm();
        String task = m.task() == null ? null : m.task().wireName();
        String dataset = m.lineage() == null ? null : m.lineage().datasetSha256();
        Map<String, Double> metrics = m.testMetrics() == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m.testMetrics()));
        String metricsJson = Db.toJson(metrics);
        return db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            int created = Db.update(c, "INSERT INTO registered_models (name, created_at, latest_version) VALUES (?, ?, 0) "
                    + "ON CONFLICT (name) DO NOTHING", name, now);
            if (created == 1) {
                event(c, name, "model_created", null, null, who, reason, Map.of(), now);
            }
            if (sourceRunId != null) {
                JdbcTrackingStore.requireRun(c, sourceRunId);
            }
            // The counter row is locked from here to commit, so versions are unique and gap-free.
            Db.update(c, "UPDATE registered_models SET latest_version = latest_version + 1 WHERE name = ?", name);
            int version = Db.one(c, "SELECT latest_version FROM registered_models WHERE name = ?", rs -> rs.getInt(1), name)
                    .orElseThrow();
            Db.update(c, "INSERT INTO model_versions (model, version, bundle_sha256, source_run_id, dataset_sha256, algorithm, "
                    + "task, metrics, created_by, created_at, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    name, version, sha, sourceRunId, dataset, algorithm, task, metricsJson, who, now, reason);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("bundleSha256", sha);
            if (sourceRunId != null) {
                details.put("sourceRunId", sourceRunId);
            }
            event(c, name, "version_registered", version, null, who, reason, details, now);
            return new ModelVersion(name, version, sha, sourceRunId, dataset, algorithm, task, metrics, who,
                    Instant.ofEpochMilli(now), reason);
        });
    }

    @Override
    public void setAlias(String model, String alias, int version, String actor, String reason, Map<String, Object> details) {
        String a = checkAlias(alias);
        String who = actor(actor);
        db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            lockModel(c, model);
            requireVersion(c, model, version);
            Optional<Integer> previous = aliasVersion(c, model, a);
            Db.update(c, "INSERT INTO model_aliases (model, alias, version, updated_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
                    model, a, version, now);
            Map<String, Object> d = new LinkedHashMap<>();
            if (details != null) {
                d.putAll(details);
            }
            d.remove("from");
            previous.ifPresent(p -> d.put("from", p));
            event(c, model, "alias_set", version, a, who, reason, d, now);
            return null;
        });
    }

    @Override
    public void removeAlias(String model, String alias, String actor, String reason) {
        String a = checkAlias(alias);
        String who = actor(actor);
        db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            lockModel(c, model);
            int previous = aliasVersion(c, model, a).orElseThrow(() -> noAlias(c, model, a));
            Db.update(c, "DELETE FROM model_aliases WHERE model = ? AND alias = ?", model, a);
            event(c, model, "alias_removed", previous, a, who, reason, Map.of("from", previous), now);
            return null;
        });
    }

    @Override
    public void setTag(String model, String key, String value, String actor, String reason) {
        if (key == null || key.isBlank() || key.length() > 250) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "tag name '" + key + "' must be 1 to 250 characters",
                    Map.of("tag", String.valueOf(key)));
        }
        String who = actor(actor);
        db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            lockModel(c, model);
            Optional<String> previous = Db.one(c, "SELECT value FROM model_tags WHERE model = ? AND name = ?",
                    rs -> rs.getString(1), model, key);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("key", key);
            if (value == null) {
                Db.update(c, "DELETE FROM model_tags WHERE model = ? AND name = ?", model, key);
                d.put("removed", true);
            } else {
                Db.update(c, "INSERT INTO model_tags (model, name, value) VALUES (?, ?, ?) "
                        + "ON CONFLICT (model, name) DO UPDATE SET value = excluded.value", model, key, value);
                d.put("value", value);
            }
            previous.ifPresent(p -> d.put("from", p));
            if (GoverningTags.governsPromotion(key)) {
                d.put("governs_promotion", true);
            }
            event(c, model, "tag_set", null, null, who, reason, d, now);
            return null;
        });
    }

    @Override
    public void setDescription(String model, String description, String actor) {
        String who = actor(actor);
        db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            lockModel(c, model);
            Db.update(c, "UPDATE registered_models SET description = ? WHERE name = ?", description, model);
            Map<String, Object> d = new HashMap<>();
            if (description != null) {
                d.put("description", description);
            }
            event(c, model, "description_set", null, null, who, null, d, now);
            return null;
        });
    }

    @Override
    public ModelEvent recordEvent(String model, String type, Integer version, String alias, String actor, String reason,
                                  Map<String, Object> details) {
        if (type == null || !type.matches("[a-z][a-z0-9_]{0,63}") || CORE_EVENT_TYPES.contains(type)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "event type '" + type + "' must be 1 to 64 lower-case "
                    + "letters, digits or underscores, and not one of " + new java.util.TreeSet<>(CORE_EVENT_TYPES),
                    Map.of("type", String.valueOf(type)));
        }
        String a = alias == null ? null : checkAlias(alias);
        String who = actor(actor);
        Map<String, Object> d = details == null ? Map.of() : new LinkedHashMap<>(details);
        return db.write(c -> {
            long now = JdbcTrackingStore.nowMillis();
            lockModel(c, model);
            if (version != null) {
                requireVersion(c, model, version);
            }
            event(c, model, type, version, a, who, reason, d, now);
            long id = Db.one(c, "SELECT MAX(id) FROM model_events WHERE model = ?", rs -> rs.getLong(1), model).orElseThrow();
            return new ModelEvent(id, model, type, version, a, who, reason, Instant.ofEpochMilli(now), d);
        });
    }

    private static void event(Connection c, String model, String type, Integer version, String alias, String actor,
                              String reason, Map<String, Object> details, long at) throws SQLException {
        Db.update(c, "INSERT INTO model_events (model, type, version, alias, actor, reason, created_at, details) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", model, type, version, alias, actor, reason, at, Db.toJson(details));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<RegisteredModel> models() {
        return db.read(c -> loadModels(c, "ORDER BY name"));
    }

    @Override
    public Optional<RegisteredModel> model(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return db.read(c -> loadModels(c, "WHERE name = ?", name).stream().findFirst());
    }

    @Override
    public Map<String, Instant> lastChanged() {
        return db.read(c -> {
            Map<String, Instant> out = new TreeMap<>();
            Db.list(c, "SELECT e.model, e.created_at FROM model_events e JOIN (SELECT model, MAX(id) AS id FROM model_events "
                    + "GROUP BY model) latest ON e.id = latest.id", rs -> out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
            return out;
        });
    }

    @Override
    public List<ModelVersion> versions(String model) {
        return db.read(c -> {
            requireModel(c, model);
            return Db.list(c, VERSION_SELECT + " WHERE model = ? ORDER BY version", JdbcModelRegistry::version, model);
        });
    }

    @Override
    public List<ModelVersion> versionsNewestFirst(String model, int limit, Integer before) {
        if (limit < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a page of versions holds at least one version, not " + limit,
                    Map.of("limit", limit));
        }
        return db.read(c -> {
            requireModel(c, model);
            return before == null
                    ? Db.list(c, VERSION_SELECT + " WHERE model = ? ORDER BY version DESC LIMIT ?", JdbcModelRegistry::version, model, limit)
                    : Db.list(c, VERSION_SELECT + " WHERE model = ? AND version < ? ORDER BY version DESC LIMIT ?",
                    JdbcModelRegistry::version, model, before, limit);
        });
    }

    @Override
    public List<ModelVersion> versionsFromRuns(java.util.Collection<String> runIds) {
        List<String> ids = runIds.stream().filter(java.util.Objects::nonNull).distinct().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        return db.read(c -> Db.list(c, VERSION_SELECT + " WHERE source_run_id IN (" + marks + ") ORDER BY model, version",
                JdbcModelRegistry::version, ids.toArray()));
    }

    @Override
    public ModelVersion version(String model, int version) {
        return db.read(c -> requireVersion(c, model, version));
    }

    @Override
    public ModelVersion resolve(ModelRef ref) {
        if (ref == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a model reference is required");
        }
        return db.read(c -> {
            if (ref.version() != null) {
                return requireVersion(c, ref.name(), ref.version());
            }
            String alias = ref.alias() != null ? ref.alias() : ModelRef.DEFAULT_ALIAS;
            requireModel(c, ref.name());
            int v = aliasVersion(c, ref.name(), alias).orElseThrow(() -> noAlias(c, ref.name(), alias));
            return requireVersion(c, ref.name(), v);
        });
    }

    @Override
    public List<ModelEvent> history(String model) {
        return db.read(c -> {
            requireModel(c, model);
            return Db.list(c, EVENT_SELECT + " WHERE model = ? ORDER BY id", JdbcModelRegistry::event, model);
        });
    }

    @Override
    public List<ModelEvent> aliasHistory(String model) {
        return db.read(c -> {
            requireModel(c, model);
            return Db.list(c, EVENT_SELECT + " WHERE model = ? AND type IN ('alias_set', 'alias_removed') ORDER BY id",
                    JdbcModelRegistry::event, model);
        });
    }

    private static final String EVENT_SELECT = "SELECT id, model, type, version, alias, actor, reason, created_at, details "
            + "FROM model_events";

    private static ModelEvent event(java.sql.ResultSet rs) throws SQLException {
        return new ModelEvent(rs.getLong("id"), rs.getString("model"), rs.getString("type"), Db.nullableInt(rs, "version"),
                rs.getString("alias"), rs.getString("actor"), rs.getString("reason"), Instant.ofEpochMilli(rs.getLong("created_at")),
                Db.jsonObject(rs.getString("details")));
    }

    @Override
    public Path bundlePath(ModelVersion version) {
        return artifacts.bundle(version.bundleSha256());
    }

    // ---------------------------------------------------------------- helpers

    private static final String VERSION_SELECT = "SELECT model, version, bundle_sha256, source_run_id, dataset_sha256, "
            + "algorithm, task, metrics, created_by, created_at, description FROM model_versions";

    private static ModelVersion version(java.sql.ResultSet rs) throws SQLException {
        return new ModelVersion(rs.getString("model"), rs.getInt("version"), rs.getString("bundle_sha256"),
                rs.getString("source_run_id"), rs.getString("dataset_sha256"), rs.getString("algorithm"), rs.getString("task"),
                Db.jsonDoubles(rs.getString("metrics")), rs.getString("created_by"),
                Instant.ofEpochMilli(rs.getLong("created_at")), rs.getString("description"));
    }

    private static String checkAlias(String alias) {
        if (alias == null || !ModelRef.NAME.matcher(alias).matches() || alias.contains("..")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "alias '" + alias + "' is not a valid name: use letters, "
                    + "digits, '.', '_' and '-', starting with a letter or digit", Map.of("alias", String.valueOf(alias)));
        }
        return alias;
    }

    /** Locks the model's row for the rest of the transaction; NOT_FOUND when there is no such model. */
    private static void lockModel(Connection c, String model) throws SQLException {
        if (model == null || Db.update(c, "UPDATE registered_models SET latest_version = latest_version WHERE name = ?", model) == 0) {
            throw noModel(c, model);
        }
    }

    private static int requireModel(Connection c, String model) throws SQLException {
        if (model == null) {
            throw noModel(c, null);
        }
        return Db.one(c, "SELECT latest_version FROM registered_models WHERE name = ?", rs -> rs.getInt(1), model)
                .orElseThrow(() -> noModel(c, model));
    }

    private static ModelVersion requireVersion(Connection c, String model, int version) throws SQLException {
        int latest = requireModel(c, model);
        return Db.one(c, VERSION_SELECT + " WHERE model = ? AND version = ?", JdbcModelRegistry::version, model, version)
                .orElseThrow(() -> new KilnException(NOT_FOUND, "model '" + model + "' has no version " + version + " ("
                        + (latest == 0 ? "it has no versions yet" : latest == 1 ? "its only version is 1" : "versions: 1.." + latest)
                        + ")", Map.of("model", model, "version", version)));
    }

    private static Optional<Integer> aliasVersion(Connection c, String model, String alias) throws SQLException {
        return Db.one(c, "SELECT version FROM model_aliases WHERE model = ? AND alias = ?", rs -> rs.getInt(1), model, alias);
    }

    private static KilnException noModel(Connection c, String model) {
        List<String> names;
        try {
            names = Db.list(c, "SELECT name FROM registered_models ORDER BY name", rs -> rs.getString(1));
        } catch (SQLException e) {
            names = List.of();
        }
        return new KilnException(NOT_FOUND, "no model named '" + model + "' ("
                + (names.isEmpty() ? "no models are registered" : "models: " + listed(names)) + ")",
                Map.of("model", String.valueOf(model)));
    }

    private static KilnException noAlias(Connection c, String model, String alias) {
        List<String> aliases;
        try {
            aliases = Db.list(c, "SELECT alias FROM model_aliases WHERE model = ? ORDER BY alias", rs -> rs.getString(1), model);
        } catch (SQLException e) {
            aliases = List.of();
        }
        return new KilnException(NOT_FOUND, "model '" + model + "' has no alias '" + alias + "' (aliases: "
                + (aliases.isEmpty() ? "none" : listed(aliases)) + ")", Map.of("model", model, "alias", alias));
    }

    static String listed(List<String> names) {
        if (names.size() <= MAX_LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, MAX_LISTED)) + ", … (" + (names.size() - MAX_LISTED) + " more)";
    }

    private static List<RegisteredModel> loadModels(Connection c, String tail, Object... args) throws SQLException {
        record Row(String name, String description, long createdAt, int latest) {
        }
        List<Row> rows = Db.list(c, "SELECT name, description, created_at, latest_version FROM registered_models " + tail,
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4)), args);
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, Integer>> aliases = new HashMap<>();
        Map<String, Map<String, String>> tags = new HashMap<>();
        boolean one = rows.size() == 1;
        String where = one ? " WHERE model = ?" : "";
        Object[] a = one ? new Object[] {rows.get(0).name()} : new Object[0];
        Db.list(c, "SELECT model, alias, version FROM model_aliases" + where, rs -> {
            aliases.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getInt(3));
            return null;
        }, a);
        Db.list(c, "SELECT model, name, value FROM model_tags" + where, rs -> {
            tags.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getString(3));
            return null;
        }, a);
        List<RegisteredModel> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new RegisteredModel(r.name(), r.description(), Instant.ofEpochMilli(r.createdAt()), r.latest(),
                    Collections.unmodifiableMap(aliases.getOrDefault(r.name(), Map.of())),
                    Collections.unmodifiableMap(tags.getOrDefault(r.name(), Map.of()))));
        }
        return out;
    }
}
