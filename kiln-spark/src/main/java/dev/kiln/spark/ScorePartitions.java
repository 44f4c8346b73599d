package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The task Spark runs on each partition: the model from this executor's {@link ModelCache} (loaded from the broadcast
 * bundle on the executor's first task), then the partition's rows scored a chunk at a time, lazily, so that a
 * partition is never held whole. Spark ships this object to executors with its own serializer (its API asks for a
 * {@code Serializable} function): it carries only the broadcast handle, the model's key and column positions.
 */
final class ScorePartitions implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    /** Rows scored at once, as {@code kiln predict}: tree ensembles walk blocks of rows per tree. */
    static final int CHUNK = 4096;

    private final Broadcast<byte[]> bundle;
    private final String key;
    private final int[] positions;
    private final int inputWidth;
    private final LongAccumulator rows;
    private final LongAccumulator errors;

    ScorePartitions(Broadcast<byte[]> bundle, String key, int[] positions, int inputWidth, LongAccumulator rows,
                    LongAccumulator errors) {
        this.bundle = bundle;
        this.key = key;
        this.positions = positions.clone();
        this.inputWidth = inputWidth;
        this.rows = rows;
        this.errors = errors;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        KilnModel model = ModelCache.fromBroadcast(key, bundle::value);
        RowScorer scorer = new RowScorer(model, positions, inputWidth);
        int errorColumn = inputWidth + ScoredSchema.outputColumns(model).size() - 1;
        return new Iterator<>() {
            private Iterator<Row> chunk = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!chunk.hasNext() && input.hasNext()) {
                    List<Row> batch = new ArrayList<>(CHUNK);
                    while (batch.size() < CHUNK && input.hasNext()) {
                        batch.add(input.next());
                    }
                    List<Row> scored = scorer.score(batch);
                    long failed = scored.stream().filter(r -> !r.isNullAt(errorColumn)).count();
                    rows.add(scored.size());
                    errors.add(failed);
                    chunk = scored.iterator();
                }
                return chunk.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return chunk.next();
            }
        };
    }
}
