package dev.kiln.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pipeline runs and the stage cache. Every method is one transaction. */
public interface PipelineStore {
    /** Records a new running run of {@code pipeline} by this process and returns it. */
    PipelineRecord start(String pipeline, String triggerKind, String triggerReason);

    /** Replaces the run's stage list (called after every stage, so a killed run shows how far it got). */
    void stages(String runId, List<Map<String, Object>> stages);

    /** Ends a running run; ending one that has ended is a CONFLICT. */
    PipelineRecord finish(String runId, String status, String outcome, List<Map<String, Object>> stages);

    /** Newest first. */
    List<PipelineRecord> runs(String pipeline, int limit);

    Optional<PipelineRecord> run(String runId);

    /** The latest run of every pipeline that has one, by pipeline name. */
    List<PipelineRecord> latestRuns();

    /** How many runs each pipeline has recorded, by pipeline name. */
    Map<String, Long> runCounts();

    /** The output of the stage that finished under {@code key}, if one did. */
    Optional<Map<String, Object>> cached(String pipeline, String stage, String key);

    /** Records a finished stage's output under its key (replacing an older entry with the same key). */
    void cache(String pipeline, String stage, String key, String runId, Map<String, Object> output);
}
