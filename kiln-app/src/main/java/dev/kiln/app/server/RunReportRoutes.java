package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.Artifact;
import dev.kiln.store.ArtifactStore;
import dev.kiln.store.DatasetStore;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.Run;
import dev.kiln.store.StoredDataset;
import dev.kiln.store.TrackingStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/runs/{id}/report}: everything the run page shows beyond the run's own record: the training report
 * {@code kiln train} stored with the run ({@code leaderboard.json} and {@code profile.json}, shaped by
 * {@link RunReportView}), the model versions registered from the run, and the stored dataset version it trained on.
 * A candidate (child) run has no report of its own: it answers with its parent's, naming the candidate. And
 * {@code GET /api/runs/{id}/series?key=}: a metric's points whatever its name (the page's charts).
 */
final class RunReportRoutes {
    static final String LEADERBOARD = "leaderboard.json";
    static final String PROFILE = "profile.json";
    /** The run tag {@code kiln train} records the dataset version in. */
    static final String DATASET_TAG = "kiln.dataset_sha256";

    private final TrackingStore tracking;
    private final ModelRegistry registry;
    private final ArtifactStore artifacts;
    private final DatasetStore datasets;

    RunReportRoutes(KilnStore store) {
        this.tracking = store.tracking();
        this.registry = store.registry();
        this.artifacts = store.artifacts();
        this.datasets = store.datasets();
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/runs/{id}/report", role(VIEWER), this::report),
                new Route(GET, "/api/runs/{id}/series", role(VIEWER), this::series));
    }

    /**
     * One metric's points, {@code ?key=KEY}: as {@code /api/runs/{id}/metrics/{key}}, for any key the store accepts
     * (a path segment only carries letters, digits, '.', '_' and '-'; a metric logged as {@code loss/train} or
     * {@code <b>} is charted too).
     */
    private Map<String, Object> series(Call c) {
        String id = c.param("id");
        String key = c.query("key");
        if (key == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter key is required: the metric's name",
                    Map.of("parameter", "key"));
        }
        run(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", id);
        m.put("key", key);
        m.put("history", tracking.metricHistory(id, key).stream().map(Views::point).toList());
        return m;
    }

    private Map<String, Object> report(Call c) {
        String id = c.param("id");
        Run run = run(id);
        Run holder = run;
        Optional<JsonNode> leaderboard = json(run, LEADERBOARD);
        if (leaderboard.isEmpty() && run.parentRunId() != null) {
            holder = run(run.parentRunId());
            leaderboard = json(holder, LEADERBOARD);
        }
        if (leaderboard.isEmpty()) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "run " + id + " has no training report (" + LEADERBOARD
                    + "): only runs of kiln train have one; a run logged by hand shows its params, metrics and tags",
                    Map.of("run", id, "artifact", LEADERBOARD));
        }
        Map<String, String> children = new LinkedHashMap<>();
        for (Run child : tracking.childRuns(holder.id())) {
            children.putIfAbsent(child.name(), child.id());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", run.id());
        m.put("report_run_id", holder.id());
        m.put("candidate", holder == run ? null : run.name());
        m.putAll(RunReportView.of(leaderboard.get(), json(holder, PROFILE).orElse(null), children));
        m.put("dataset", dataset(holder, leaderboard.get()));
        m.put("model_versions", modelVersions(run, holder));
        return m;
    }

    /** The versions registered from this run, and for a candidate from its parent (the run whose bundle they hold). */
    private List<Map<String, Object>> modelVersions(Run run, Run holder) {
        List<String> ids = new ArrayList<>(List.of(run.id()));
        if (holder != run) {
            ids.add(holder.id());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelVersion v : registry.versionsFromRuns(ids)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", v.model());
            m.put("version", v.version());
            m.put("source_run_id", v.sourceRunId());
            m.put("algorithm", v.algorithm());
            m.put("created_at", Views.time(v.createdAt()));
            m.put("created_by", v.createdBy());
            m.put("link", "/models/" + URLEncoder.encode(v.model(), StandardCharsets.UTF_8));
            out.add(m);
        }
        return out;
    }

    /** The dataset the run trained on: its SHA-256 and source as the report says, and its stored version if any. */
    private Map<String, Object> dataset(Run holder, JsonNode report) {
        String sha = holder.tags().get(DATASET_TAG);
        if (sha == null && RunReportView.present(report.get("datasetSha256"))) {
            sha = report.get("datasetSha256").asText();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", sha);
        m.put("source", RunReportView.present(report.get("dataset")) ? report.get("dataset").asText() : null);
        StoredDataset stored = sha == null || !sha.matches("[0-9a-f]{64}") ? null : stored(sha);
        if (stored == null) {
            m.put("stored", null);
        } else {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", stored.name());
            s.put("version", stored.version());
            s.put("created_at", Views.time(stored.createdAt()));
            s.put("total_bytes", stored.totalBytes());
            m.put("stored", s);
        }
        m.put("link", sha == null ? null : "/data?sha256=" + sha);
        return m;
    }

    private StoredDataset stored(String sha) {
        try {
            return datasets.get(sha);
        } catch (KilnException e) {
            if (e.code() == ErrorCode.DATASET_NOT_FOUND) {
                return null;  // trained on a file never put in the dataset store
            }
            throw e;
        }
    }

    private Optional<JsonNode> json(Run run, String name) {
        Optional<Artifact> a = tracking.artifacts(run.id()).stream()
                .filter(x -> x.name().equals(name) && "file".equals(x.kind())).findFirst();
        if (a.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readTree(artifacts.file(a.get().sha256()).toFile()));
        } catch (IOException | KilnException e) {
            // A damaged store or a file that is not JSON is not the caller's doing.
            throw new KilnException(ErrorCode.INTERNAL, "artifact '" + name + "' of run " + run.id() + " cannot be read: "
                    + e.getMessage(), Map.of("run", run.id(), "artifact", name), e);
        }
    }

    private Run run(String id) {
        return tracking.run(id).orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND, "no run with id '" + id + "'",
                Map.of("run", id)));
    }
}
