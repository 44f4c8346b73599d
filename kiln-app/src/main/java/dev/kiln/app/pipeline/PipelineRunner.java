package dev.kiln.app.pipeline;

import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.PipelineRecord;
import dev.kiln.store.RegisteredModel;
import dev.kiln.train.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs a pipeline: ingest → validate → train → evaluate → register → promote. Each stage's key is the hash of its
 * inputs; a stage whose key already finished is skipped (its cached output taken back), so an unchanged pipeline does
 * nothing, and a run killed in any stage resumes after the last stage that finished. Every run is recorded with its
 * trigger, its stages (keys, durations, messages) and its outcome.
 */
public final class PipelineRunner {
    static final List<StageWork> STAGES = List.of(new IngestStage(), new ValidateStage(), new TrainStage(),
            new EvaluateStage(), new RegisterStage(), new PromoteStage());

    private PipelineRunner() {
    }

    /** What started a run: {@code manual}, {@code data}, {@code schedule} or {@code alert}, and why. */
    public record Trigger(String kind, String reason) {
        public static Trigger manual() {
            return new Trigger("manual", "kiln pipeline run");
        }
    }

    /**
     * @param status  {@link PipelineRecord#SUCCEEDED}, {@link PipelineRecord#REFUSED} or {@link PipelineRecord#FAILED}
     * @param outcome one line: what changed, or why nothing did
     */
    public record Result(PipelineRecord record, String status, String outcome, List<StageReport> stages) {
    }

    /**
     * Runs the pipeline. {@code forceFrom} reruns that stage and every later one whatever the cache says (null: use the
     * cache; {@link Stage#INGEST}: everything). A stage's failure ends the run as failed and is rethrown.
     */
    public static Result run(KilnStore store, PipelineSpec spec, Trigger trigger, Stage forceFrom, String actor,
                             ProgressListener progress, Consumer<StageReport> listener) {
        Consumer<StageReport> out = listener == null ? r -> { } : listener;
        PipelineRecord record = store.pipelines().start(spec.name(), trigger.kind(), trigger.reason());
        RunContext ctx = new RunContext(store, spec, record.id(), actor, progress, holder(store, spec));
        List<StageReport> reports = new ArrayList<>();
        Map<Stage, Map<String, String>> previous = previousParts(store, spec.name(), record.id());
        String status = PipelineRecord.SUCCEEDED;
        String outcome = null;
        for (StageWork work : STAGES) {
            Stage stage = work.stage();
            if (outcome != null && !PipelineRecord.SUCCEEDED.equals(status)) {
                StageReport skipped = new StageReport(stage, StageReport.NOT_RUN, null, Map.of(), 0, "not run", Map.of());
                reports.add(skipped);
                out.accept(skipped);
                continue;
            }
            long t0 = System.nanoTime();
            StageKey key = null;
            try {
                key = work.key(ctx);
                boolean forced = forceFrom != null && stage.ordinal() >= forceFrom.ordinal();
                Optional<Map<String, Object>> cached = forced ? Optional.empty()
                        : store.pipelines().cached(spec.name(), stage.wireName(), key.hash());
                String stale = cached.isPresent() ? work.restore(ctx, cached.get()) : null;
                if (cached.isPresent() && stale == null) {
                    boolean proceeds = work.proceeds(cached.get());
                    String message = "unchanged (" + key.describe() + "), skipped: " + work.summary(cached.get());
                    StageReport r = report(stage, proceeds ? StageReport.SKIPPED : StageReport.REFUSED, key, t0, message, cached.get());
                    add(store, record, reports, r, out);
                    if (!proceeds) {
                        status = PipelineRecord.REFUSED;
                        outcome = stage.wireName() + ": " + work.summary(cached.get()) + " (unchanged since an earlier run)";
                    }
                    continue;
                }
                String why = forced ? "forced" : stale != null ? "cached output unusable: " + stale
                        : changed(previous.get(stage), key);
                StageOutcome o = work.run(ctx);
                if (o.cacheable()) {
                    store.pipelines().cache(spec.name(), stage.wireName(), key.hash(), record.id(), o.output());
                }
                StageReport r = report(stage, o.proceed() ? StageReport.RAN : StageReport.REFUSED, key, t0,
                        o.message() + (why == null ? "" : " [" + why + "]"), o.output());
                add(store, record, reports, r, out);
                if (!o.proceed()) {
                    status = PipelineRecord.REFUSED;
                    outcome = stage.wireName() + ": " + o.message();
                }
            } catch (RuntimeException e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                StageReport r = report(stage, StageReport.FAILED, key, t0, "failed: " + message, Map.of());
                reports.add(r);
                out.accept(r);
                store.pipelines().finish(record.id(), PipelineRecord.FAILED, stage.wireName() + ": " + message, records(reports));
                throw e;
            }
        }
        if (outcome == null) {
            outcome = summary(ctx, reports);
        }
        PipelineRecord done = store.pipelines().finish(record.id(), status, outcome, records(reports));
        return new Result(done, status, outcome, List.copyOf(reports));
    }

    /**
     * What {@link #run} would do now, without doing it or recording a run: each stage {@code skipped} (its key ran
     * before), the first stage that would run ({@code would_run}, with the inputs that changed), and the stages after it
     * ({@code not_run}: their keys depend on its output).
     */
    public static List<StageReport> plan(KilnStore store, PipelineSpec spec) {
        RunContext ctx = new RunContext(store, spec, "(plan)", "plan", ProgressListener.NONE, holder(store, spec));
        Map<Stage, Map<String, String>> previous = previousParts(store, spec.name(), null);
        List<StageReport> out = new ArrayList<>();
        String blocked = null;
        for (StageWork work : STAGES) {
            Stage stage = work.stage();
            if (blocked != null) {
                out.add(new StageReport(stage, StageReport.NOT_RUN, null, Map.of(), 0, blocked, Map.of()));
                continue;
            }
            long t0 = System.nanoTime();
            StageKey key = work.key(ctx);
            Optional<Map<String, Object>> cached = store.pipelines().cached(spec.name(), stage.wireName(), key.hash());
            String stale = cached.isPresent() ? work.restore(ctx, cached.get()) : null;
            if (cached.isPresent() && stale == null) {
                boolean proceeds = work.proceeds(cached.get());
                out.add(report(stage, proceeds ? StageReport.SKIPPED : StageReport.REFUSED, key, t0,
                        "unchanged (" + key.describe() + "), would be skipped: " + work.summary(cached.get()), cached.get()));
                if (!proceeds) {
                    blocked = "not run: " + stage.wireName() + " refused this input before";
                }
                continue;
            }
            String why = stale != null ? "cached output unusable: " + stale : changed(previous.get(stage), key);
            out.add(report(stage, "would_run", key, t0, "would run (" + why + ")", Map.of()));
            blocked = "waits for " + stage.wireName();
        }
        return out;
    }

    /** The alias's holder now, or null when the model or the alias does not exist yet. */
    static ModelVersion holder(KilnStore store, PipelineSpec spec) {
        Optional<RegisteredModel> m = store.registry().model(spec.name());
        Integer v = m.map(x -> x.aliases().get(spec.promote().alias())).orElse(null);
        return v == null ? null : store.registry().version(spec.name(), v);
    }

    private static String summary(RunContext ctx, List<StageReport> reports) {
        boolean ranAny = reports.stream().anyMatch(r -> r.status().equals(StageReport.RAN));
        if (!ranAny) {
            return "nothing changed: every stage was skipped";
        }
        StageReport promote = reports.get(reports.size() - 1);
        if (promote.status().equals(StageReport.RAN) && Boolean.TRUE.equals(promote.output().get("moved"))) {
            return "promoted " + ctx.spec.name() + ":" + ctx.version + " to " + ctx.spec.promote().alias();
        }
        List<String> ran = reports.stream().filter(r -> r.status().equals(StageReport.RAN)).map(r -> r.stage().wireName()).toList();
        if (!ran.contains("train") && !ran.contains("register") && !ran.contains("promote")) {
            // e.g. right after a promotion: the production version changed, so validate and evaluate look again
            return "nothing trained, registered or promoted (looked again: " + String.join(", ", ran) + ")";
        }
        return promote.message();
    }

    private static StageReport report(Stage stage, String status, StageKey key, long t0, String message,
                                      Map<String, Object> output) {
        return new StageReport(stage, status, key == null ? null : key.hash(), key == null ? Map.of() : key.parts(),
                (System.nanoTime() - t0) / 1e9, message, output);
    }

    private static void add(KilnStore store, PipelineRecord record, List<StageReport> reports, StageReport r,
                            Consumer<StageReport> out) {
        reports.add(r);
        store.pipelines().stages(record.id(), records(reports));
        out.accept(r);
    }

    private static List<Map<String, Object>> records(List<StageReport> reports) {
        return reports.stream().map(StageReport::toRecord).toList();
    }

    /** Each stage's key inputs in the latest earlier run that reached it, to say what changed. */
    @SuppressWarnings("unchecked")
    static Map<Stage, Map<String, String>> previousParts(KilnStore store, String pipeline, String exceptRun) {
        Map<Stage, Map<String, String>> parts = new java.util.EnumMap<>(Stage.class);
        for (PipelineRecord r : store.pipelines().runs(pipeline, 20)) {
            if (r.id().equals(exceptRun)) {
                continue;
            }
            for (Map<String, Object> s : r.stages()) {
                if (s.get("inputs") instanceof Map<?, ?> inputs) {
                    Stage stage = Stage.parse(String.valueOf(s.get("stage")));
                    parts.putIfAbsent(stage, (Map<String, String>) inputs);
                }
            }
        }
        return parts;
    }

    /** Why a stage runs: which of its inputs differ from the last run that reached it. */
    static String changed(Map<String, String> before, StageKey now) {
        if (before == null) {
            return "not run before";
        }
        List<String> diffs = new ArrayList<>();
        now.parts().forEach((k, v) -> {
            String old = before.get(k);
            if (!v.equals(old)) {
                diffs.add(k + " changed (" + StageKey.shortHash(old) + " -> " + StageKey.shortHash(v) + ")");
            }
        });
        return diffs.isEmpty() ? "Kiln's version changed, or the earlier run did not finish the stage" : String.join(", ", diffs);
    }
}
