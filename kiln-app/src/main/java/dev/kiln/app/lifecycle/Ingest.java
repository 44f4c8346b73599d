package dev.kiln.app.lifecycle;

import dev.kiln.data.DataSources;
import dev.kiln.data.JdbcQuery;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.io.FileTrees;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.StoredDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Data in: a file, a glob, a directory of files, or a {@code jdbc:} URL with a query, stored as a content-addressed
 * dataset version ({@code kiln data ingest} and the pipeline's ingest stage both come here).
 */
public final class Ingest {
    private Ingest() {
    }

    /**
     * Stores what {@code spec} names (relative paths against {@code baseDir}) as a version of dataset {@code name}.
     * {@code query} is required with a {@code jdbc:} spec and refused otherwise.
     */
    public static StoredDataset ingest(KilnStore store, String name, String spec, String query, Path baseDir, String actor) {
        boolean jdbc = DataSources.isJdbc(spec);
        if (jdbc && (query == null || query.isBlank())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a jdbc: source needs a query",
                    Map.of("spec", JdbcQuery.withoutPassword(spec)));
        }
        if (!jdbc && query != null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a query is for a jdbc: source, not '" + spec + "'",
                    Map.of("spec", spec));
        }
        return jdbc ? fromQuery(store, name, spec, query, actor)
                : store.datasets().put(name, DataSources.resolve(spec, baseDir), spec, actor);
    }

    private static StoredDataset fromQuery(KilnStore store, String name, String url, String query, String actor) {
        checkName(name);
        Path tmp = null;
        try {
            // The query's file lives until it is stored, beside the store's own temporaries (".tmp-": a killed run's
            // leftover is removed like theirs).
            Path datasets = store.home().resolve("datasets");
            Files.createDirectories(datasets);
            tmp = Files.createTempDirectory(datasets, ".tmp-ingest-");
            JdbcQuery.Result r = JdbcQuery.toCsv(url, query, tmp.resolve(name + ".csv"));
            return store.datasets().put(name, List.of(r.file()), r.url(), actor);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot stage the query's rows under " + store.home() + ": "
                    + e.getMessage(), Map.of("home", store.home().toString()), e);
        } finally {
            if (tmp != null) {
                FileTrees.deleteQuietly(tmp);
            }
        }
    }

    /** The store checks the name too; checking first keeps a bad name out of a file name. */
    private static void checkName(String name) {
        if (name == null || !ModelRef.NAME.matcher(name).matches() || name.contains("..")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is not a valid dataset name: names use "
                    + "letters, digits, '.', '_' and '-'", Map.of("dataset", String.valueOf(name)));
        }
    }
}
