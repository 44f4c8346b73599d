package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.app.pipeline.StageReport;
import dev.kiln.store.KilnStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show what 'kiln pipeline run' would do now and why: each stage unchanged (skipped), the first that "
                + "would run with the inputs that changed, and the stages waiting on it. Runs nothing, records nothing.")
final class PipelineStatus implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--file", "-f"}, defaultValue = PipelineFile.DEFAULT_NAME, paramLabel = "FILE",
            description = "the pipeline file (default: ${DEFAULT-VALUE})")
    Path file;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the plan as JSON")
    boolean json;

    @Override
    public Integer call() {
        PipelineSpec pipeline = PipelineFile.load(file);
        List<StageReport> plan;
        try (KilnStore s = store.open()) {
            plan = PipelineRunner.plan(s, pipeline);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Reports.json(out, Map.of("pipeline", pipeline.name(), "stages", plan.stream().map(PipelineRun::stage).toList()));
        } else {
            out.println("pipeline " + pipeline.name() + " (" + pipeline.file() + ")");
            plan.forEach(r -> out.println("  " + r.line()));
        }
        out.flush();
        return 0;
    }
}
