package dev.kiln.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** {@link PipelineStore} over the store's JDBC database. */
final class JdbcPipelineStore implements PipelineStore {
    private static final Set<String> END_STATUSES = Set.of(PipelineRecord.SUCCEEDED, PipelineRecord.REFUSED,
            PipelineRecord.FAILED);
    private static final String COLUMNS = "id, pipeline, trigger_kind, trigger_reason, status, outcome, stages, host, pid, "
            + "started_at, ended_at";

    private final Db db;

    JdbcPipelineStore(Db db) {
        this.db = db;
    }

    @Override
    public PipelineRecord start(String pipeline, String triggerKind, String triggerReason) {
        ModelRef.checkName(pipeline, pipeline);
        String id = UUID.randomUUID().toString();
        return db.write(c -> {
            // Start times strictly increase per pipeline, so "newest first" is the order the runs started in.
            long latest = Db.one(c, "SELECT MAX(started_at) FROM pipeline_runs WHERE pipeline = ?", rs -> rs.getLong(1),
                    pipeline).orElse(0L);
            long now = Math.max(JdbcTrackingStore.nowMillis(), latest + 1);
            Db.update(c, "INSERT INTO pipeline_runs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, NULL, '[]', ?, ?, ?, NULL)",
                    id, pipeline, triggerKind, triggerReason, PipelineRecord.RUNNING, JdbcTrackingStore.HOST,
                    JdbcTrackingStore.PID, now);
            return byId(c, id).orElseThrow();
        });
    }

    @Override
    public void stages(String runId, List<Map<String, Object>> stages) {
        db.write(c -> {
            requireRunning(c, runId);
            Db.update(c, "UPDATE pipeline_runs SET stages = ? WHERE id = ?", Db.toJson(stages), runId);
            return null;
        });
    }

    @Override
    public PipelineRecord finish(String runId, String status, String outcome, List<Map<String, Object>> stages) {
        if (!END_STATUSES.contains(status)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a pipeline run ends as one of " + END_STATUSES + ", not '"
                    + status + "'", Map.of("status", String.valueOf(status)));
        }
        return db.write(c -> {
            requireRunning(c, runId);
            Db.update(c, "UPDATE pipeline_runs SET status = ?, outcome = ?, stages = ?, ended_at = ? WHERE id = ?",
                    status, outcome, Db.toJson(stages), JdbcTrackingStore.nowMillis(), runId);
            return byId(c, runId).orElseThrow();
        });
    }

    @Override
    public List<PipelineRecord> runs(String pipeline, int limit) {
        if (limit <= 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "limit must be positive, not " + limit);
        }
        return db.read(c -> pipeline == null
                ? Db.list(c, "SELECT " + COLUMNS + " FROM pipeline_runs ORDER BY started_at DESC, id LIMIT " + limit,
                        JdbcPipelineStore::record)
                : Db.list(c, "SELECT " + COLUMNS + " FROM pipeline_runs WHERE pipeline = ? ORDER BY started_at DESC, id LIMIT "
                        + limit, JdbcPipelineStore::record, pipeline));
    }

    @Override
    public Optional<PipelineRecord> run(String runId) {
        return db.read(c -> byId(c, runId));
    }

    @Override
    public List<PipelineRecord> latestRuns() {
        // Start times are unique per pipeline (start() makes them so), so this is one row per pipeline.
        return db.read(c -> Db.list(c, "SELECT " + COLUMNS + " FROM pipeline_runs p WHERE started_at = "
                + "(SELECT MAX(started_at) FROM pipeline_runs q WHERE q.pipeline = p.pipeline) ORDER BY pipeline, id",
                JdbcPipelineStore::record));
    }

    @Override
    public Map<String, Long> runCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        db.read(c -> Db.list(c, "SELECT pipeline, COUNT(*) FROM pipeline_runs GROUP BY pipeline",
                rs -> Map.entry(rs.getString(1), rs.getLong(2)))).forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    @Override
    public Optional<Map<String, Object>> cached(String pipeline, String stage, String key) {
        return db.read(c -> Db.one(c, "SELECT output FROM pipeline_stage_cache WHERE pipeline = ? AND stage = ? AND stage_key = ?",
                rs -> Db.jsonObject(rs.getString(1)), pipeline, stage, key));
    }

    @Override
    public void cache(String pipeline, String stage, String key, String runId, Map<String, Object> output) {
        String json = Db.toJson(output);
        db.write(c -> {
            Db.update(c, "INSERT INTO pipeline_stage_cache (pipeline, stage, stage_key, run_id, output, finished_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, stage, stage_key) DO UPDATE SET run_id = excluded.run_id, "
                    + "output = excluded.output, finished_at = excluded.finished_at",
                    pipeline, stage, key, runId, json, JdbcTrackingStore.nowMillis());
            return null;
        });
    }

    private static void requireRunning(Connection c, String runId) throws SQLException {
        PipelineRecord r = byId(c, runId).orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND,
                "no pipeline run '" + runId + "'", Map.of("run", String.valueOf(runId))));
        if (!PipelineRecord.RUNNING.equals(r.status())) {
            throw new KilnException(ErrorCode.CONFLICT, "pipeline run " + runId + " has already ended (" + r.status() + ")",
                    Map.of("run", runId, "status", r.status()));
        }
    }

    private static Optional<PipelineRecord> byId(Connection c, String id) throws SQLException {
        return Db.one(c, "SELECT " + COLUMNS + " FROM pipeline_runs WHERE id = ?", JdbcPipelineStore::record, id);
    }

    private static PipelineRecord record(ResultSet rs) throws SQLException {
        Long ended = Db.nullableLong(rs, "ended_at");
        return new PipelineRecord(rs.getString("id"), rs.getString("pipeline"), rs.getString("trigger_kind"),
                rs.getString("trigger_reason"), rs.getString("status"), rs.getString("outcome"), stageList(rs.getString("stages")),
                rs.getString("host"), rs.getLong("pid"), Instant.ofEpochMilli(rs.getLong("started_at")),
                ended == null ? null : Instant.ofEpochMilli(ended));
    }

    private static List<Map<String, Object>> stageList(String json) {
        try {
            return List.copyOf(Json.mapper().readValue(json, new TypeReference<List<Map<String, Object>>>() { }));
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "the Kiln store holds invalid JSON: " + e.getOriginalMessage());
        }
    }
}
