package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experiments, runs, parameters, metrics, tags and artifacts. Every method is one transaction. Once a run has
 * ended (FINISHED, FAILED or KILLED) its parameters, metrics and {@code kiln.*} tags are final: changing one is a
 * CONFLICT naming the run and the key; other tags may still change.
 */
public interface TrackingStore {
    Experiment experiment(String name);

    /** Starts a RUNNING run owned by this process. */
    Run startRun(String experiment, String parentRunId, String name, Map<String, String> tags);

    /** Parameters are write-once: logging a different value for a key already set is a CONFLICT. */
    void logParams(String runId, Map<String, String> params);

    void logMetric(String runId, String key, double value, long step);

    void logMetrics(String runId, Map<String, Double> metrics, long step);

    void setTag(String runId, String key, String value);

    /** Sets several tags in one transaction: all of them, or none when one is refused. */
    void setTags(String runId, Map<String, String> tags);

    /** Copies a file or a directory into the artifact store and records it under {@code name}. */
    Artifact logArtifact(String runId, String name, Path fileOrDirectory);

    /**
     * Records {@code value} written as JSON (Kiln's mapper) as the artifact {@code name}: through a temporary file, which
     * is deleted once the artifact store holds its copy.
     */
    default Artifact logJson(String runId, String name, Object value) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("kiln-artifact", ".json");
            Json.mapper().writeValue(tmp.toFile(), value);
            return logArtifact(runId, name, tmp);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write the artifact " + name + " as JSON: " + e.getMessage(),
                    Map.of("artifact", name), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is not worth failing the run for
                }
            }
        }
    }

    /** Ends a RUNNING run; ending a run that has already ended is a CONFLICT. */
    void endRun(String runId, RunStatus status);

    Optional<Run> run(String runId);

    /** Newest first; {@code experiment} null for all experiments. */
    List<Run> runs(String experiment, int limit);

    /**
     * One page of the runs a search finds, with how many it finds in all. The filter and the order run in the
     * database; params, tags and latest metrics are read for the page's runs only. An unknown experiment is
     * RUN_NOT_FOUND.
     */
    RunPage search(RunSearch search);

    /** The distinct parameter, metric and tag keys of the runs of {@code experiment} (null: of all runs). */
    RunColumns columns(String experiment);

    /** Every experiment by name, with its number of runs and when its newest run started. */
    List<ExperimentSummary> experiments();

    List<Run> childRuns(String parentRunId);

    List<MetricPoint> metricHistory(String runId, String key);

    List<Artifact> artifacts(String runId);

    /** Marks RUNNING runs whose owning process on this host is gone as KILLED; returns how many. */
    int reapDeadRuns();
}
