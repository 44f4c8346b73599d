package dev.kiln.app.pipeline;

import dev.kiln.app.lifecycle.Ingest;
import dev.kiln.data.DataSources;
import dev.kiln.data.DatasetVersion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.StoredDataset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingest: the data the pipeline file names (a file, a glob, a directory of files, or a {@code jdbc:} query) becomes a
 * content-addressed version of the dataset named after the pipeline ({@code kiln data versions NAME}); every later stage
 * reads the stored copy, and the model's lineage points to it, so it can be read again as it was. The key is the content
 * itself: hashing the data is the whole check.
 */
final class IngestStage implements StageWork {
    @Override
    public Stage stage() {
        return Stage.INGEST;
    }

    @Override
    public StageKey key(RunContext ctx) {
        if (DataSources.isJdbc(ctx.spec.data())) {
            // A query's rows are only known once run; storing them is idempotent, so the version comes from the store.
            StoredDataset stored = Ingest.ingest(ctx.store, ctx.spec.name(), ctx.spec.data(), ctx.spec.query(),
                    ctx.spec.baseDir(), ctx.actor);
            ctx.dataset = stored.version();
        } else {
            ctx.dataset = DatasetVersion.of(files(ctx));
        }
        return StageKey.of("ingest", Map.of("data", ctx.dataset));
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        StoredDataset stored = DataSources.isJdbc(ctx.spec.data()) ? ctx.store.datasets().get(ctx.dataset)
                : ctx.store.datasets().put(ctx.spec.name(), files(ctx), ctx.spec.data(), ctx.actor);
        if (!stored.version().equals(ctx.dataset)) {
            throw new KilnException(ErrorCode.CONFLICT, "the data under " + ctx.spec.data() + " changed while it was "
                    + "ingested (hashed " + ctx.dataset.substring(0, 12) + ", stored " + stored.version().substring(0, 12)
                    + "); run again", Map.of("data", ctx.spec.data()));
        }
        ctx.datasetPath = ctx.store.datasets().path(stored);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", stored.version());
        out.put("name", stored.name());
        out.put("files", stored.files().size());
        out.put("bytes", stored.totalBytes());
        return StageOutcome.done(out, "dataset " + ctx.spec.name() + "@" + stored.version().substring(0, 12) + " ("
                + stored.files().size() + (stored.files().size() == 1 ? " file, " : " files, ") + stored.totalBytes()
                + " bytes) from " + (DataSources.isJdbc(ctx.spec.data()) ? dev.kiln.data.JdbcQuery.withoutPassword(ctx.spec.data()) : ctx.spec.data()));
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        try {
            ctx.datasetPath = ctx.store.datasets().path(ctx.store.datasets().get(ctx.dataset));
            return null;
        } catch (KilnException e) {
            return "the stored dataset cannot be read: " + e.getMessage();
        }
    }

    @Override
    public String summary(Map<String, Object> output) {
        return "dataset " + StageKey.shortHash(String.valueOf(output.get("dataset")));
    }

    private static List<Path> files(RunContext ctx) {
        try {
            return DataSources.resolve(ctx.spec.data(), ctx.spec.baseDir());
        } catch (KilnException e) {
            throw new KilnException(e.code(), ctx.spec.file() + ": data: " + e.getMessage(), Map.of("file",
                    String.valueOf(ctx.spec.file()), "key", "data"), e);
        }
    }
}
