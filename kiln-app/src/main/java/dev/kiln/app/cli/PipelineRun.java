package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.app.pipeline.Stage;
import dev.kiln.app.pipeline.StageReport;
import dev.kiln.app.pipeline.trigger.PipelineLockGuard;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the pipeline once: ingest -> validate -> train -> evaluate -> register -> promote.",
                "A stage whose inputs (data version, its part of kiln.yaml, Kiln's version) already ran is skipped and says "
                        + "why; with nothing changed nothing is trained or registered. A run killed in any stage resumes after "
                        + "the last stage that finished."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:finished (promoted, registered, or nothing changed)",
                "2:bad input (a mistake in kiln.yaml, naming its key; data that cannot be read)",
                "3:not found (the pipeline file or the data)",
                "4:refused (validation, a gate or the rollout said no; production unchanged), or another run of this "
                        + "pipeline holds its lock (a watcher or another kiln pipeline run, named)",
                "8:the kiln serve of the rollout could not be reached (its steps undone)",
                "10:internal failure"})
final class PipelineRun implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--file", "-f"}, defaultValue = PipelineFile.DEFAULT_NAME, paramLabel = "FILE",
            description = "the pipeline file (default: ${DEFAULT-VALUE})")
    Path file;

    @Option(names = "--force", arity = "0..1", fallbackValue = "ingest", paramLabel = "STAGE",
            description = "rerun STAGE and every later stage whatever the cache says (no STAGE: all of them)")
    String force;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the run as JSON")
    boolean json;

    @Override
    public Integer call() {
        PipelineSpec pipeline = PipelineFile.load(file);
        Stage forceFrom = force == null ? null : Stage.parse(force);
        PrintWriter out = spec.commandLine().getOut();
        PipelineRunner.Result result;
        try (KilnStore s = store.open();
             PipelineLockGuard lock = PipelineLockGuard.hold(s, pipeline.name(), "kiln pipeline run", Duration.ofMinutes(1));
             Progress progress = new Progress("train", !json)) {
            result = PipelineRunner.run(s, pipeline, PipelineRunner.Trigger.manual(), forceFrom, Promotion.actor(), progress,
                    r -> {
                        if (!json) {
                            out.println(r.line());
                            out.flush();
                        }
                    });
        }
        if (json) {
            Reports.json(out, asJson(result));
        } else {
            out.println(result.status() + ": " + result.outcome() + " (pipeline run " + result.record().id() + ")");
        }
        out.flush();
        return PipelineRecord.REFUSED.equals(result.status()) ? ErrorCode.GATE_FAILED.exitCode() : 0;
    }

    static Map<String, Object> asJson(PipelineRunner.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", r.record().id());
        m.put("pipeline", r.record().pipeline());
        m.put("status", r.status());
        m.put("outcome", r.outcome());
        m.put("trigger", Map.of("kind", r.record().triggerKind(), "reason", String.valueOf(r.record().triggerReason())));
        m.put("stages", r.stages().stream().map(PipelineRun::stage).toList());
        return m;
    }

    static Map<String, Object> stage(StageReport s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", s.stage().wireName());
        m.put("status", s.status());
        m.put("key", s.key());
        m.put("inputs", s.parts());
        m.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
        m.put("message", s.message());
        m.put("output", s.output());
        return m;
    }
}
