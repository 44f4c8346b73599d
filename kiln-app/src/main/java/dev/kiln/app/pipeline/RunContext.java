package dev.kiln.app.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What one pipeline run knows, filled in stage by stage (or from the cache). */
final class RunContext {
    final KilnStore store;
    final PipelineSpec spec;
    final String runId;
    final String actor;
    final ProgressListener progress;
    /** The alias's holder when the run started; null when the alias is free or the model is new. */
    final ModelVersion holder;

    String dataset;
    Path datasetPath;
    String trainRunId;
    Path bundle;
    String bundleSha;
    String task;
    Boolean gatesPassed;
    List<Map<String, Object>> checks = List.of();
    Integer version;

    RunContext(KilnStore store, PipelineSpec spec, String runId, String actor, ProgressListener progress, ModelVersion holder) {
        this.store = store;
        this.spec = spec;
        this.runId = runId;
        this.actor = actor;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.holder = holder;
    }

    /** The section of the pipeline file as canonical JSON (keys sorted), for stage keys. */
    String section(String key) {
        return canonical(spec.config().get(key));
    }

    static String canonical(Object value) {
        try {
            return Json.mapper().writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot hash the pipeline configuration: " + e.getOriginalMessage());
        }
    }

    String holderLabel() {
        return holder == null ? "none" : holder.model() + ":" + holder.version();
    }
}
