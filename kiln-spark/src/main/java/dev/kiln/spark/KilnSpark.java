package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Kiln models on Apache Spark: batch scoring of a {@code Dataset<Row>} with a bundle trained by {@code kiln train}.
 * <pre>{@code
 * Dataset<Row> scored = KilnSpark.predict(spark.read().parquet("s3a://lake/applicants"), Path.of("credit-bundle"));
 * }</pre>
 * The bundle is read on the driver (a path on the driver's file system), verified, and broadcast to the executors,
 * each of which loads it once ({@link ModelCache}); rows are scored by Kiln's runtime, partition by partition, with the
 * values and columns {@code kiln predict} gives (docs/spark.md, "Output").
 */
public final class KilnSpark {
    /** The column that holds a row's error ({@code <error_code>: <message>}), null for a row that was scored. */
    public static final String ERROR_COLUMN = "kiln_error";

    private KilnSpark() {
    }

    /** What {@link #predictCounted} returns: the scored rows (lazy) and counters that fill in as they are computed. */
    public record Scored(Dataset<Row> rows, LongAccumulator rowCount, LongAccumulator errorCount, KilnModel model) {
    }

    /**
     * {@code input} with {@code prediction}, {@code probability_<class>} (classification) and {@link #ERROR_COLUMN}
     * appended. Lazy, as any Spark transformation: nothing is scored until the result is written or collected.
     *
     * @throws dev.kiln.runtime.KilnException the bundle does not load (not found, corrupt, unsupported format), or the
     *                                        input already has a column named as an output
     */
    public static Dataset<Row> predict(Dataset<Row> input, Path bundle) {
        return predictCounted(input, bundle).rows();
    }

    /**
     * As {@link #predict}, with the count of rows scored and of rows with an error, as the tasks report them (a task
     * that Spark runs again counts again: figures for a summary, not for accounting).
     */
    public static Scored predictCounted(Dataset<Row> input, Path bundle) {
        return predictCounted(input, KilnModel.load(bundle));
    }

    /** As {@link #predict(Dataset, Path)}, with a model loaded already ({@link KilnModel#load}). */
    public static Dataset<Row> predict(Dataset<Row> input, KilnModel model) {
        return predictCounted(input, model).rows();
    }

    /** As {@link #predictCounted(Dataset, Path)}, with a model loaded already ({@link KilnModel#load}). */
    public static Scored predictCounted(Dataset<Row> input, KilnModel driverModel) {
        BundleBytes packed = BundleBytes.pack(driverModel.bundle().directory(), driverModel.manifest().files());
        // The driver's own copy, under the key the executors use: in local mode they share this JVM and its cache.
        KilnModel model = ModelCache.get(packed.key(), () -> driverModel);
        StructType schema = ScoredSchema.of(input.schema(), model);
        JavaSparkContext context = JavaSparkContext.fromSparkContext(input.sparkSession().sparkContext());
        Broadcast<byte[]> broadcast = context.broadcast(packed.zip());
        LongAccumulator rows = context.sc().longAccumulator("kiln rows scored");
        LongAccumulator errors = context.sc().longAccumulator("kiln rows with an error");
        int[] positions = RowScorer.positions(model, input.schema().fieldNames());
        Dataset<Row> scored = input.mapPartitions(new ScorePartitions(broadcast, packed.key(), positions,
                input.schema().size(), rows, errors), Encoders.row(schema));
        return new Scored(scored, rows, errors, model);
    }
}
