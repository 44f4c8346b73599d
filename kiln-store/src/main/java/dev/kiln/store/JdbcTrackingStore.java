package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
import java.util.UUID;

/** {@link TrackingStore} over the store's JDBC database. */
final class JdbcTrackingStore implements TrackingStore {
    static final String HOST = hostName();
    static final long PID = ProcessHandle.current().pid();
    /** Tags Kiln itself records about a run (dataset version, chosen candidate…): final once the run has ended. */
    static final String SYSTEM_TAG_PREFIX = "kiln.";
    private static final int MAX_KEY = 250;
    private static final int IN_CHUNK = 500;

    private final Db db;
    private final ArtifactStore artifacts;
    private final JdbcRunSearch runSearch;

    JdbcTrackingStore(Db db, ArtifactStore artifacts) {
        this.db = db;
        this.artifacts = artifacts;
        this.runSearch = new JdbcRunSearch(db);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }

    static long nowMillis() {
        return System.currentTimeMillis();
    }

    // ---------------------------------------------------------------- experiments and runs

    @Override
    public Experiment experiment(String name) {
        String n = checkExperimentName(name);
        return db.write(c -> ensureExperiment(c, n));
    }

    private static Experiment ensureExperiment(Connection c, String name) throws SQLException {
        Db.update(c, "INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, nowMillis());
        return Db.one(c, "SELECT id, name, created_at FROM experiments WHERE name = ?",
                rs -> new Experiment(rs.getLong("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at"))), name)
                .orElseThrow();
    }

    private static String checkExperimentName(String name) {
        if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "experiment name '" + name
                    + "' must be 1 to 200 printable characters", Map.of("experiment", String.valueOf(name)));
        }
        return name.trim();
    }

    @Override
    public Run startRun(String experiment, String parentRunId, String name, Map<String, String> tags) {
        String exp = checkExperimentName(experiment);
        Map<String, String> t = checkedStrings(tags, "tag");
        String id = UUID.randomUUID().toString();
        return db.write(c -> {
            Experiment e = ensureExperiment(c, exp);
            if (parentRunId != null) {
                requireRun(c, parentRunId);
            }
            Db.update(c, "INSERT INTO runs (id, experiment_id, parent_run_id, name, status, started_at, host, pid) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, e.id(), parentRunId, name, RunStatus.RUNNING.name(), nowMillis(), HOST, PID);
            for (Map.Entry<String, String> tag : t.entrySet()) {
                Db.update(c, "INSERT INTO run_tags (run_id, name, value) VALUES (?, ?, ?)", id, tag.getKey(), tag.getValue());
            }
            return loadRuns(c, "WHERE r.id = ?", id).get(0);
        });
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        Map<String, String> p = checkedStrings(params, "parameter");
        db.write(c -> {
            String status = requireRun(c, runId);
            for (Map.Entry<String, String> e : p.entrySet()) {
                if (ended(status)) {
                    Optional<String> existing = Db.one(c, "SELECT value FROM run_params WHERE run_id = ? AND name = ?",
                            rs -> rs.getString(1), runId, e.getKey());
                    if (existing.isEmpty() || !existing.get().equals(e.getValue())) {
                        throw frozen(runId, status, "parameter", e.getKey());
                    }
                    continue; // the value it already has: nothing changes
                }
                int inserted = Db.update(c, "INSERT INTO run_params (run_id, name, value) VALUES (?, ?, ?) "
                        + "ON CONFLICT (run_id, name) DO NOTHING", runId, e.getKey(), e.getValue());
                if (inserted == 0) {
                    String existing = Db.one(c, "SELECT value FROM run_params WHERE run_id = ? AND name = ?",
                            rs -> rs.getString(1), runId, e.getKey()).orElseThrow();
                    if (!existing.equals(e.getValue())) {
                        throw new KilnException(ErrorCode.CONFLICT, "parameter '" + e.getKey() + "' of run " + runId
                                + " is already '" + existing + "'; parameters are write-once (tried '" + e.getValue() + "')",
                                Map.of("run", runId, "param", e.getKey(), "existing", existing, "value", e.getValue()));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void logMetric(String runId, String key, double value, long step) {
        logMetrics(runId, Map.of(checkKey(key, "metric"), value), step);
    }

    @Override
    public void logMetrics(String runId, Map<String, Double> metrics, long step) {
        Map<String, Double> m = new TreeMap<>();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getValue() == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "metric '" + e.getKey() + "' has no value",
                        Map.of("metric", String.valueOf(e.getKey())));
            }
            m.put(checkKey(e.getKey(), "metric"), e.getValue());
        }
        long now = nowMillis();
        db.write(c -> {
            String status = requireRun(c, runId);
            if (ended(status) && !m.isEmpty()) {
                throw frozen(runId, status, "metric", m.keySet().iterator().next());
            }
            List<Object[]> points = new ArrayList<>(m.size());
            List<Object[]> latest = new ArrayList<>(m.size());
            for (Map.Entry<String, Double> e : m.entrySet()) {
                points.add(new Object[] {runId, e.getKey(), step, e.getValue(), now});
                latest.add(new Object[] {runId, e.getKey(), step, e.getValue().isNaN() ? null : e.getValue(), now});
            }
            Db.batch(c, "INSERT INTO metrics (run_id, name, step, value, logged_at) VALUES (?, ?, ?, ?, ?)", points);
            // The point just logged has the highest id, so it is the latest unless an earlier one has a higher
            // step, or the same step and a later time.
            Db.batch(c, "INSERT INTO latest_metrics (run_id, name, step, value, logged_at) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (run_id, name) DO UPDATE SET step = excluded.step, value = excluded.value, "
                    + "logged_at = excluded.logged_at WHERE excluded.step > latest_metrics.step "
                    + "OR (excluded.step = latest_metrics.step AND excluded.logged_at >= latest_metrics.logged_at)", latest);
            return null;
        });
    }

    @Override
    public void setTag(String runId, String key, String value) {
        String k = checkKey(key, "tag");
        if (value == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "tag '" + k + "' has no value", Map.of("tag", k));
        }
        setTags(runId, Map.of(k, value));
    }

    @Override
    public void setTags(String runId, Map<String, String> tags) {
        Map<String, String> t = checkedStrings(tags, "tag");
        db.write(c -> {
            String status = requireRun(c, runId);
            for (String k : t.keySet()) {
                if (ended(status) && k.startsWith(SYSTEM_TAG_PREFIX)) {
                    throw frozen(runId, status, "tag", k);
                }
            }
            for (Map.Entry<String, String> e : t.entrySet()) {
                Db.update(c, "INSERT INTO run_tags (run_id, name, value) VALUES (?, ?, ?) "
                        + "ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value", runId, e.getKey(), e.getValue());
            }
            return null;
        });
    }

    @Override
    public Artifact logArtifact(String runId, String name, Path fileOrDirectory) {
        String n = ArtifactStore.checkArtifactName(name);
        db.read(c -> requireRun(c, runId)); // fail before copying anything
        String sha;
        long size;
        String kind;
        if (Files.isDirectory(fileOrDirectory) && Files.exists(fileOrDirectory.resolve(BundleManifest.MANIFEST_FILE))) {
            sha = artifacts.putBundle(fileOrDirectory);
            size = artifacts.storedBundleSize(sha);
            kind = "bundle";
        } else if (Files.isDirectory(fileOrDirectory)) {
            ArtifactStore.Stored s = artifacts.putDirectory(fileOrDirectory);
            sha = s.sha256();
            size = s.sizeBytes();
            kind = "directory";
        } else {
            ArtifactStore.Stored s = artifacts.putFile(fileOrDirectory);
            sha = s.sha256();
            size = s.sizeBytes();
            kind = "file";
        }
        Artifact artifact = new Artifact(runId, n, sha, size, kind);
        db.write(c -> {
            requireRun(c, runId);
            int inserted = Db.update(c, "INSERT INTO run_artifacts (run_id, name, sha256, size_bytes, kind, created_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO NOTHING", runId, n, sha, size, kind, nowMillis());
            if (inserted == 0) {
                String existing = Db.one(c, "SELECT sha256 FROM run_artifacts WHERE run_id = ? AND name = ?",
                        rs -> rs.getString(1), runId, n).orElseThrow();
                if (!existing.equals(sha)) {
                    throw new KilnException(ErrorCode.CONFLICT, "run " + runId + " already has a different artifact named '" + n
                            + "' (sha256 " + existing + ")", Map.of("run", runId, "name", n, "existing", existing, "sha256", sha));
                }
            }
            return null;
        });
        return artifact;
    }

    @Override
    public void endRun(String runId, RunStatus status) {
        if (status == null || status == RunStatus.RUNNING) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a run ends as FINISHED, FAILED or KILLED, not " + status,
                    Map.of("run", String.valueOf(runId)));
        }
        db.write(c -> {
            int n = Db.update(c, "UPDATE runs SET status = ?, ended_at = ? WHERE id = ? AND status = ?",
                    status.name(), nowMillis(), runId, RunStatus.RUNNING.name());
            if (n == 0) {
                String current = requireRun(c, runId);
                throw new KilnException(ErrorCode.CONFLICT, "run " + runId + " has already ended (" + current + ")",
                        Map.of("run", runId, "status", current));
            }
            return null;
        });
    }

    @Override
    public Optional<Run> run(String runId) {
        if (runId == null) {
            return Optional.empty();
        }
        return db.read(c -> loadRuns(c, "WHERE r.id = ?", runId).stream().findFirst());
    }

    @Override
    public List<Run> runs(String experiment, int limit) {
        int lim = limit <= 0 ? Integer.MAX_VALUE : limit;
        return db.read(c -> {
            if (experiment == null) {
                return loadRuns(c, "ORDER BY r.seq DESC LIMIT ?", lim);
            }
            return loadRuns(c, "WHERE r.experiment_id = ? ORDER BY r.seq DESC LIMIT ?", experimentId(c, experiment), lim);
        });
    }

    /** The id of the experiment named {@code experiment}; RUN_NOT_FOUND listing the experiments when there is none. */
    static long experimentId(Connection c, String experiment) throws SQLException {
        Optional<Long> id = Db.one(c, "SELECT id FROM experiments WHERE name = ?", rs -> rs.getLong(1), experiment);
        if (id.isEmpty()) {
            List<String> names = Db.list(c, "SELECT name FROM experiments ORDER BY name", rs -> rs.getString(1));
            throw new KilnException(ErrorCode.RUN_NOT_FOUND, "no experiment named '" + experiment + "' ("
                    + (names.isEmpty() ? "no experiments yet" : "experiments: " + JdbcModelRegistry.listed(names)) + ")",
                    Map.of("experiment", experiment));
        }
        return id.get();
    }

    @Override
    public RunPage search(RunSearch search) {
        return runSearch.search(search);
    }

    @Override
    public RunColumns columns(String experiment) {
        return runSearch.columns(experiment);
    }

    @Override
    public List<ExperimentSummary> experiments() {
        return runSearch.experiments();
    }

    @Override
    public List<Run> childRuns(String parentRunId) {
        return db.read(c -> {
            requireRun(c, parentRunId);
            return loadRuns(c, "WHERE r.parent_run_id = ? ORDER BY r.seq", parentRunId);
        });
    }

    @Override
    public List<MetricPoint> metricHistory(String runId, String key) {
        return db.read(c -> {
            requireRun(c, runId);
            return Db.list(c, "SELECT name, value, step, logged_at FROM metrics WHERE run_id = ? AND name = ? "
                    + "ORDER BY step, logged_at, id", rs -> new MetricPoint(rs.getString("name"), Db.doubleOrNaN(rs, "value"),
                    rs.getLong("step"), Instant.ofEpochMilli(rs.getLong("logged_at"))), runId, key);
        });
    }

    @Override
    public List<Artifact> artifacts(String runId) {
        return db.read(c -> {
            requireRun(c, runId);
            return Db.list(c, "SELECT run_id, name, sha256, size_bytes, kind FROM run_artifacts WHERE run_id = ? "
                    + "ORDER BY created_at, name", rs -> new Artifact(rs.getString("run_id"), rs.getString("name"),
                    rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("kind")), runId);
        });
    }

    @Override
    public int reapDeadRuns() {
        List<Map.Entry<String, Long>> running = db.read(c -> Db.list(c,
                "SELECT id, pid FROM runs WHERE status = ? AND host = ?",
                rs -> Map.entry(rs.getString("id"), rs.getLong("pid")), RunStatus.RUNNING.name(), HOST));
        List<String> dead = new ArrayList<>();
        for (Map.Entry<String, Long> r : running) {
            if (r.getValue() != PID && !ProcessHandle.of(r.getValue()).map(ProcessHandle::isAlive).orElse(false)) {
                dead.add(r.getKey());
            }
        }
        if (dead.isEmpty()) {
            return 0;
        }
        long now = nowMillis();
        return db.write(c -> {
            int n = 0;
            for (String id : dead) {
                n += Db.update(c, "UPDATE runs SET status = ?, ended_at = ? WHERE id = ? AND status = ?",
                        RunStatus.KILLED.name(), now, id, RunStatus.RUNNING.name());
            }
            return n;
        });
    }

    // ---------------------------------------------------------------- helpers

    /** The run's status; NOT_FOUND when there is no such run. */
    static String requireRun(Connection c, String runId) throws SQLException {
        if (runId == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a run id is required");
        }
        return Db.one(c, "SELECT status FROM runs WHERE id = ?", rs -> rs.getString(1), runId)
                .orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND, "no run with id '" + runId + "'",
                        Map.of("run", runId)));
    }

    private static boolean ended(String status) {
        return RunStatus.valueOf(status).isTerminal();
    }

    /**
     * What an ended run refuses: its parameters, metrics and {@code kiln.*} tags are the record of what was trained
     * and measured, so they are final once it ends (user tags may still change).
     */
    private static KilnException frozen(String runId, String status, String what, String key) {
        String verb = switch (what) {
            case "metric" -> "logged";
            case "tag" -> "changed";
            default -> "set";
        };
        return new KilnException(ErrorCode.CONFLICT, "run " + runId + " has ended (" + status + "): " + what + " '" + key
                + "' cannot be " + verb + "; the parameters, metrics and kiln.* tags of an ended run are final",
                Map.of("run", runId, "status", status, what, key));
    }

    private static String checkKey(String key, String what) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY || key.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, what + " name '" + key + "' must be 1 to " + MAX_KEY
                    + " printable characters", Map.of(what, String.valueOf(key)));
        }
        return key;
    }

    private static Map<String, String> checkedStrings(Map<String, String> map, String what) {
        Map<String, String> out = new TreeMap<>();
        if (map == null) {
            return out;
        }
        for (Map.Entry<String, String> e : map.entrySet()) {
            String k = checkKey(e.getKey(), what);
            if (e.getValue() == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, what + " '" + k + "' has no value", Map.of(what, k));
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    record RunRow(String id, String experiment, String parent, String name, RunStatus status, Instant startedAt,
                  Instant endedAt, String host, long pid) {
    }

    /** The columns {@link #runRow} reads, over {@code runs r JOIN experiments e}. */
    static final String RUN_COLUMNS = "r.id, e.name AS experiment, r.parent_run_id, r.name, r.status, r.started_at, "
            + "r.ended_at, r.host, r.pid";

    static RunRow runRow(ResultSet rs) throws SQLException {
        Long ended = Db.nullableLong(rs, "ended_at");
        return new RunRow(rs.getString("id"), rs.getString("experiment"), rs.getString("parent_run_id"),
                rs.getString("name"), RunStatus.valueOf(rs.getString("status")),
                Instant.ofEpochMilli(rs.getLong("started_at")), ended == null ? null : Instant.ofEpochMilli(ended),
                rs.getString("host"), rs.getLong("pid"));
    }

    private static List<Run> loadRuns(Connection c, String tail, Object... args) throws SQLException {
        return withDetails(c, Db.list(c, "SELECT " + RUN_COLUMNS + " FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                + tail, JdbcTrackingStore::runRow, args));
    }

    /** The runs of {@code rows} with their params, tags and latest metrics, read for these runs only. */
    static List<Run> withDetails(Connection c, List<RunRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, String>> params = new HashMap<>();
        Map<String, Map<String, String>> tags = new HashMap<>();
        Map<String, Map<String, Double>> latest = new HashMap<>();
        for (int from = 0; from < rows.size(); from += IN_CHUNK) {
            List<RunRow> chunk = rows.subList(from, Math.min(rows.size(), from + IN_CHUNK));
            Object[] ids = chunk.stream().map(RunRow::id).toArray();
            String in = "(" + Db.marks(ids.length) + ")";
            for (String[] kv : Db.list(c, "SELECT run_id, name, value FROM run_params WHERE run_id IN " + in,
                    rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, ids)) {
                params.computeIfAbsent(kv[0], k -> new TreeMap<>()).put(kv[1], kv[2]);
            }
            for (String[] kv : Db.list(c, "SELECT run_id, name, value FROM run_tags WHERE run_id IN " + in,
                    rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, ids)) {
                tags.computeIfAbsent(kv[0], k -> new TreeMap<>()).put(kv[1], kv[2]);
            }
            // latest_metrics holds each metric's last point (highest step, then latest time, then latest logged)
            Db.list(c, "SELECT run_id, name, value FROM latest_metrics WHERE run_id IN " + in, rs -> {
                latest.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), Db.doubleOrNaN(rs, "value"));
                return null;
            }, ids);
        }
        List<Run> out = new ArrayList<>(rows.size());
        for (RunRow r : rows) {
            out.add(new Run(r.id(), r.experiment(), r.parent(), r.name(), r.status(), r.startedAt(), r.endedAt(), r.host(),
                    r.pid(), frozen(params.get(r.id())), frozen(tags.get(r.id())), frozen(latest.get(r.id()))));
        }
        return out;
    }

    private static <V> Map<String, V> frozen(Map<String, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
