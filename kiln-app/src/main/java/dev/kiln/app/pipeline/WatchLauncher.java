package dev.kiln.app.pipeline;

import dev.kiln.app.pipeline.trigger.LaunchOutcome;
import dev.kiln.app.pipeline.trigger.PipelineLauncher;
import dev.kiln.app.pipeline.trigger.Trigger;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineRecord;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What {@code kiln pipeline watch} runs for a trigger: the pipeline file read again (an edit takes effect at the next
 * run; a mistake fails that run and says so, the watch goes on), then {@link PipelineRunner#run} with the trigger's kind
 * and every cause it coalesced. The watcher holds the pipeline's lock around it.
 */
public final class WatchLauncher implements PipelineLauncher {
    private final KilnStore store;
    private final Path file;
    private final String actor;
    private final Consumer<StageReport> stages;

    public WatchLauncher(KilnStore store, Path file, String actor, Consumer<StageReport> stages) {
        this.store = store;
        this.file = file;
        this.actor = actor;
        this.stages = stages == null ? s -> { } : stages;
    }

    @Override
    public LaunchOutcome launch(Trigger trigger) {
        PipelineSpec spec;
        try {
            spec = PipelineFile.load(file);
        } catch (RuntimeException e) {
            return LaunchOutcome.failed(null, e.getMessage());
        }
        PipelineRunner.Trigger t = new PipelineRunner.Trigger(trigger.kind().name().toLowerCase(Locale.ROOT), trigger.reason());
        try {
            PipelineRunner.Result r = PipelineRunner.run(store, spec, t, null, actor, null, stages);
            String summary = r.status() + ": " + r.outcome();
            return PipelineRecord.FAILED.equals(r.status()) ? LaunchOutcome.failed(r.record().id(), summary)
                    : LaunchOutcome.succeeded(r.record().id(), summary);
        } catch (RuntimeException e) {
            String id = store.pipelines().runs(spec.name(), 1).stream().findFirst().map(PipelineRecord::id).orElse(null);
            return LaunchOutcome.failed(id, "failed: " + e.getMessage());
        }
    }
}
