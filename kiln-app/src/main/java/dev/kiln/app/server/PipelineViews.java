package dev.kiln.app.server;

import dev.kiln.store.PipelineRecord;
import dev.kiln.store.PipelineStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The wire form of pipeline runs: trigger, stages (run or skipped, and why), durations, outcome. */
final class PipelineViews {
    /** How many recent runs (of every pipeline) a dataset version's page looks through for its uses. */
    static final int USES_SCANNED = 500;
    private static final int USES_SHOWN = 50;

    private PipelineViews() {
    }

    static Map<String, Object> run(PipelineRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("pipeline", r.pipeline());
        m.put("status", r.killed() ? "killed" : r.status());
        m.put("outcome", r.outcome());
        Map<String, Object> trigger = new LinkedHashMap<>();
        trigger.put("kind", r.triggerKind());
        trigger.put("reason", r.triggerReason());
        m.put("trigger", trigger);
        m.put("started_at", Views.time(r.startedAt()));
        m.put("ended_at", Views.time(r.endedAt()));
        m.put("seconds", r.endedAt() == null ? null : Duration.between(r.startedAt(), r.endedAt()).toMillis() / 1000.0);
        m.put("host", r.host());
        m.put("pid", r.pid());
        m.put("dataset_sha256", input(r, "ingest", "data"));
        m.put("stages", r.stages().stream().map(PipelineViews::stage).toList());
        return m;
    }

    /**
     * A stage as recorded, plus {@code reason}: why it ran (the inputs that changed, "not run before", "forced"), why it
     * was skipped (its unchanged inputs), or why it did not run; and the validation report where the stage kept one.
     */
    static Map<String, Object> stage(Map<String, Object> s) {
        Map<String, Object> m = new LinkedHashMap<>();
        String status = String.valueOf(s.get("status"));
        String message = s.get("message") == null ? "" : String.valueOf(s.get("message"));
        m.put("stage", s.get("stage"));
        m.put("status", status);
        m.put("key", s.get("key"));
        m.put("inputs", s.get("inputs"));
        m.put("seconds", s.get("seconds"));
        m.put("message", message);
        m.put("reason", reason(status, message));
        m.put("report", s.get("report"));
        return m;
    }

    /** Taken from the message the runner wrote ({@code PipelineRunner}): "unchanged (…), skipped: …" and "… [why]". */
    static String reason(String status, String message) {
        int skipped = message.indexOf("), skipped: ");
        if (message.startsWith("unchanged (") && skipped > 0) {
            return message.substring(0, skipped + 1);
        }
        if (message.endsWith("]") && message.lastIndexOf(" [") > 0) {
            return message.substring(message.lastIndexOf(" [") + 2, message.length() - 1);
        }
        if ("not_run".equals(status)) {
            return "an earlier stage stopped the run";
        }
        return message;
    }

    /**
     * What pipeline runs did with a dataset version: the validation reports of validate stages that checked it (one per
     * stage key: a skipped stage repeats the report of the run that made it) and the runs that ingested it, newest first.
     */
    static Map<String, Object> usesOf(PipelineStore pipelines, String version) {
        List<Map<String, Object>> validations = new ArrayList<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        Set<String> seenKeys = new HashSet<>();
        for (PipelineRecord r : pipelines.runs(null, USES_SCANNED)) {
            if (version.equals(input(r, "ingest", "data")) && runs.size() < USES_SHOWN) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pipeline", r.pipeline());
                m.put("run_id", r.id());
                m.put("status", r.killed() ? "killed" : r.status());
                m.put("started_at", Views.time(r.startedAt()));
                m.put("outcome", r.outcome());
                runs.add(m);
            }
            for (Map<String, Object> s : r.stages()) {
                if ("validate".equals(s.get("stage")) && s.get("report") != null && version.equals(inputOf(s, "data"))
                        && seenKeys.add(r.pipeline() + "/" + s.get("key")) && validations.size() < USES_SHOWN) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("pipeline", r.pipeline());
                    m.put("run_id", r.id());
                    m.put("started_at", Views.time(r.startedAt()));
                    m.put("stage_status", s.get("status"));
                    m.put("message", s.get("message"));
                    m.put("report", s.get("report"));
                    validations.add(m);
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("validations", validations);
        out.put("pipeline_runs", runs);
        return out;
    }

    /** An input of a stage's key in a run (e.g. the ingest stage's {@code data}: the dataset version), or null. */
    static String input(PipelineRecord r, String stage, String input) {
        return r.stages().stream().filter(s -> stage.equals(s.get("stage"))).findFirst().map(s -> inputOf(s, input)).orElse(null);
    }

    private static String inputOf(Map<String, Object> stage, String input) {
        return stage.get("inputs") instanceof Map<?, ?> inputs && inputs.get(input) != null ? String.valueOf(inputs.get(input)) : null;
    }
}
