package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.PipelineRecord;
import dev.kiln.store.PipelineStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pipeline runs over HTTP (the UI's /pipelines): every pipeline with its last run, and one pipeline's runs. */
final class PipelineRoutes {
    /** Runs answered when no {@code ?limit=} is given (each may carry a validation report). */
    static final int DEFAULT_RUNS = 20;

    private final PipelineStore pipelines;

    PipelineRoutes(PipelineStore pipelines) {
        this.pipelines = pipelines;
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/pipelines", role(VIEWER), c -> pipelines()),
                new Route(GET, "/api/pipelines/{pipeline}/runs", role(VIEWER), this::runs));
    }

    /** Every pipeline that has run, the most recently started first, with its run count and last run. */
    private Map<String, Object> pipelines() {
        Map<String, Long> counts = pipelines.runCounts();
        List<PipelineRecord> latest = new ArrayList<>(pipelines.latestRuns());
        latest.sort(Comparator.comparing(PipelineRecord::startedAt).reversed());
        List<Map<String, Object>> out = new ArrayList<>();
        for (PipelineRecord r : latest) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.pipeline());
            m.put("runs", counts.getOrDefault(r.pipeline(), 1L));
            m.put("last_run", PipelineViews.run(r));
            out.add(m);
        }
        return Map.of("pipelines", out);
    }

    /** One pipeline's runs, newest first, {@code ?limit=N} (default {@value #DEFAULT_RUNS}). */
    private Map<String, Object> runs(Call c) {
        String name = c.param("pipeline");
        int limit = c.query("limit") == null ? DEFAULT_RUNS : c.limit();
        List<PipelineRecord> runs = pipelines.runs(name, limit);
        if (runs.isEmpty()) {
            List<String> known = pipelines.runCounts().keySet().stream().toList();
            throw new KilnException(ErrorCode.RUN_NOT_FOUND, "pipeline '" + name + "' has no runs; pipelines with runs: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)), Map.of("pipeline", name, "known", known));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pipeline", name);
        m.put("runs", runs.stream().map(PipelineViews::run).toList());
        return m;
    }
}
