package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List recorded pipeline runs, newest first: trigger, stages with their status and duration, outcome. "
                + "A run whose process died shows as killed.")
final class PipelineRuns implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "PIPELINE", description = "one pipeline's runs (default: all)")
    String pipeline;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "at most N runs (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print the runs as JSON")
    boolean json;

    @Override
    public Integer call() {
        List<PipelineRecord> runs;
        try (KilnStore s = store.open()) {
            runs = s.pipelines().runs(pipeline, limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Reports.json(out, runs.stream().map(PipelineRuns::asJson).toList());
        } else if (runs.isEmpty()) {
            out.println("no pipeline runs" + (pipeline == null ? "" : " of " + pipeline));
        } else {
            Table t = new Table("run", "pipeline", "started", "trigger", "status", "seconds", "stages", "outcome");
            for (PipelineRecord r : runs) {
                t.row(r.id().substring(0, 8), r.pipeline(), r.startedAt().toString(), r.triggerKind(), status(r),
                        r.endedAt() == null ? "" : Table.num(Duration.between(r.startedAt(), r.endedAt()).toMillis() / 1000.0, 1),
                        stages(r), r.outcome() == null ? "" : r.outcome());
            }
            out.print(t.render());
        }
        out.flush();
        return 0;
    }

    private static String status(PipelineRecord r) {
        return r.killed() ? "killed" : r.status();
    }

    /** {@code ingest=skipped train=ran …}. */
    private static String stages(PipelineRecord r) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> s : r.stages()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s.get("stage")).append('=').append(s.get("status"));
        }
        return sb.toString();
    }

    private static Map<String, Object> asJson(PipelineRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", r.id());
        m.put("pipeline", r.pipeline());
        m.put("status", status(r));
        m.put("outcome", r.outcome());
        m.put("trigger", Map.of("kind", r.triggerKind(), "reason", String.valueOf(r.triggerReason())));
        m.put("started_at", r.startedAt().toString());
        m.put("ended_at", r.endedAt() == null ? null : r.endedAt().toString());
        m.put("host", r.host());
        m.put("pid", r.pid());
        m.put("stages", r.stages());
        return m;
    }
}
