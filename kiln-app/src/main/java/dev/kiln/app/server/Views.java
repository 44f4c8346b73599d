package dev.kiln.app.server;

import dev.kiln.store.Artifact;
import dev.kiln.store.MetricPoint;
import dev.kiln.store.ModelEvent;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The wire form of the store's records: snake_case fields, lower-case statuses, ISO-8601 times. */
final class Views {
    private Views() {
    }

    static Map<String, Object> run(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("experiment", r.experiment());
        m.put("name", r.name());
        m.put("parent_run_id", r.parentRunId());
        m.put("status", r.status().name().toLowerCase(Locale.ROOT));
        m.put("started_at", time(r.startedAt()));
        m.put("ended_at", time(r.endedAt()));
        m.put("params", r.params());
        m.put("metrics", r.latestMetrics());
        m.put("tags", r.tags());
        return m;
    }

    static List<Map<String, Object>> runs(List<Run> runs) {
        return runs.stream().map(Views::run).toList();
    }

    static Map<String, Object> artifact(Artifact a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("kind", a.kind());
        m.put("sha256", a.sha256());
        m.put("size_bytes", a.sizeBytes());
        return m;
    }

    static Map<String, Object> point(MetricPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", p.step());
        m.put("value", p.value());
        m.put("timestamp", time(p.timestamp()));
        return m;
    }

    static Map<String, Object> model(RegisteredModel r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("description", r.description());
        m.put("created_at", time(r.createdAt()));
        m.put("latest_version", r.latestVersion());
        m.put("aliases", r.aliases());
        m.put("tags", r.tags());
        return m;
    }

    static Map<String, Object> version(RegisteredModel model, ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", v.model());
        m.put("version", v.version());
        m.put("aliases", model == null ? List.of() : model.aliases().entrySet().stream()
                .filter(e -> e.getValue() == v.version()).map(Map.Entry::getKey).sorted().toList());
        m.put("algorithm", v.algorithm());
        m.put("task", v.task());
        m.put("metrics", v.metrics());
        m.put("bundle_sha256", v.bundleSha256());
        m.put("source_run_id", v.sourceRunId());
        m.put("dataset_sha256", v.datasetSha256());
        m.put("created_by", v.createdBy());
        m.put("created_at", time(v.createdAt()));
        m.put("description", v.description());
        return m;
    }

    static Map<String, Object> event(ModelEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("type", e.type());
        m.put("version", e.version());
        m.put("alias", e.alias());
        m.put("actor", e.actor());
        m.put("reason", e.reason());
        m.put("at", time(e.at()));
        m.put("details", e.details() == null ? Map.of() : e.details());
        return m;
    }

    static Map<String, Object> alert(dev.kiln.store.Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("model", a.model());
        m.put("version", a.version());
        m.put("rule", a.rule());
        m.put("kind", a.kind());
        m.put("severity", a.severity());
        m.put("status", a.status());
        m.put("message", a.message());
        m.put("evidence", a.evidence());
        m.put("first_seen_at", time(a.firstSeenAt()));
        m.put("last_seen_at", time(a.lastSeenAt()));
        m.put("resolved_at", time(a.resolvedAt()));
        m.put("resolved_by", a.resolvedBy());
        m.put("resolve_reason", a.resolveReason());
        m.put("times_seen", a.timesSeen());
        return m;
    }

    static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
