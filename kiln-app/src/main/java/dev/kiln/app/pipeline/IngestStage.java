package dev.kiln.app.pipeline;

import dev.kiln.data.DatasetVersion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ingest: the data named by the pipeline file becomes a content-addressed dataset version, the one every later stage
 * (and the model's lineage) points to. Its key is the content itself, so hashing the data is the whole check.
 */
final class IngestStage implements StageWork {
    @Override
    public Stage stage() {
        return Stage.INGEST;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Path file = source(ctx);
        ctx.dataset = DatasetVersion.sha256(file);
        return StageKey.of("ingest", Map.of("data", ctx.dataset));
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        Path file = source(ctx);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", ctx.dataset);
        out.put("path", file.toString());
        ctx.datasetPath = file;
        return StageOutcome.done(out, "dataset " + ctx.spec.name() + "@" + ctx.dataset.substring(0, 12) + " from " + ctx.spec.data());
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        Path p = Path.of(String.valueOf(output.get("path")));
        if (!Files.exists(p)) {
            return "the stored data " + p + " is gone";
        }
        ctx.datasetPath = p;
        return null;
    }

    @Override
    public String summary(Map<String, Object> output) {
        return "dataset " + StageKey.shortHash(String.valueOf(output.get("dataset")));
    }

    private static Path source(RunContext ctx) {
        Path file = ctx.spec.baseDir().resolve(ctx.spec.data()).normalize();
        if (!Files.exists(file)) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, ctx.spec.file() + ": data: " + file + " does not exist",
                    Map.of("file", String.valueOf(ctx.spec.file()), "key", "data", "data", file.toString()));
        }
        return file;
    }
}
