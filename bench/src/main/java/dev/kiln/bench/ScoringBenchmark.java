package dev.kiln.bench;

import dev.kiln.data.DataFrame;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.FeaturePipelineFitter;
import dev.kiln.train.Target;
import dev.kiln.train.xgboost.FittedBooster;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scoring speed of Kiln's runtime against XGBoost4J on the same model: a 100-tree, depth-6 GBDT
 * (binary:logistic, eta 0.1, no early stopping) trained on {@link SyntheticData} (100,000 rows, 20
 * numeric columns, ~1% missing). The feature pipeline (median imputation plus a missing indicator per
 * column) makes 40 features; both libraries score the same encoded 40-wide rows, drawn from a second
 * seeded sample of 10,000 rows. Single-row benchmarks cycle through the first 1024 of them.
 *
 * <p>Single-row benchmarks report latency distributions (SampleTime, µs; read p0.50); batch benchmarks
 * report throughput in rows per second (one operation = one row).
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScoringBenchmark {
    static final int TRAIN_ROWS = 100_000;
    static final int BATCH_ROWS = 10_000;
    static final int POOL = 1024;
    static final int TREES = 100;
    /** Chunks the parallel batch is split into (several per core, for balance). */
    static final int CHUNKS = 16;

    private TreeEnsembleEstimator estimator;
    private dev.kiln.runtime.model.PackedTrees packed;
    private KilnModel model;
    private Booster booster;
    /** The same model loaded from its JSON with {@code nthread=1}, for the lowest-overhead XGBoost path. */
    private Booster boosterOneThread;
    private int width;

    private double[][] pool;
    private float[][] poolFloat;
    private Map<String, Object>[] poolMaps;
    private DMatrix[] poolMatrices;
    private double[][] batch;
    private float[] batchFlat;
    private double[] batchOut;
    private double[][] batchOut2d;

    private final double[] scratch = new double[1];
    private double[][] phi;
    private dev.kiln.runtime.model.TreeContributions contributions;
    private int cursor;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws XGBoostError, IOException {
        DataFrame train = SyntheticData.frame(TRAIN_ROWS, 42L);
        Target target = BenchModels.target(train, SyntheticData.TARGET);
        FeaturePipelineFitter.Result fit = FeaturePipelineFitter.fit(train,
                BenchModels.features(train, SyntheticData.TARGET), FeaturePipelineFitter.Options.defaults(false));
        double[][] x = FeaturePipelineFitter.encode(fit.pipeline(), train);
        // threads 0 = all processors: XGBoost's predict then uses every core too.
        GbdtTrainer trainer = new GbdtTrainer(6, 0.1, TREES, 0, 0, Map.of());
        FittedBooster fitted = trainer.fitBooster(BenchModels.trainingData(target, fit.pipeline(), x), 42L);
        estimator = fitted.estimator();
        packed = dev.kiln.runtime.model.PackedTrees.of(estimator);
        booster = fitted.booster();
        if (estimator.trees().size() != TREES) {
            throw new IllegalStateException("expected " + TREES + " trees, got " + estimator.trees().size());
        }
        boosterOneThread = XGBoost.loadModel(fitted.json());
        boosterOneThread.setParam("nthread", 1);
        model = BenchModels.model(target, SyntheticData.TARGET, fit, estimator);
        width = fit.pipeline().width();
        phi = new double[1][width + 1];
        contributions = dev.kiln.runtime.model.TreeContributions.of(estimator);

        DataFrame scoring = SyntheticData.frame(BATCH_ROWS, 4242L);
        batch = FeaturePipelineFitter.encode(fit.pipeline(), scoring);
        batchFlat = BenchModels.flatten(batch);
        batchOut = new double[BATCH_ROWS];
        batchOut2d = new double[BATCH_ROWS][1];
        pool = new double[POOL][];
        poolFloat = new float[POOL][];
        poolMaps = new Map[POOL];
        poolMatrices = new DMatrix[POOL];
        for (int i = 0; i < POOL; i++) {
            pool[i] = batch[i];
            poolFloat[i] = BenchModels.flatten(new double[][] {batch[i]});
            poolMaps[i] = BenchModels.rowMap(scoring, i, SyntheticData.TARGET);
            poolMatrices[i] = new DMatrix(poolFloat[i], 1, width, Float.NaN);
        }
        check(target);
    }

    /** The three paths must agree before their speed means anything. */
    private void check(Target target) throws XGBoostError {
        DMatrix all = new DMatrix(batchFlat, BATCH_ROWS, width, Float.NaN);
        float[][] xgb;
        try {
            xgb = booster.predict(all);
        } finally {
            all.dispose();
        }
        double maxDiff = 0;
        for (int i = 0; i < BATCH_ROWS; i++) {
            estimator.predict(batch[i], scratch);
            maxDiff = Math.max(maxDiff, Math.abs(scratch[0] - xgb[i][0]));
        }
        for (int i = 0; i < POOL; i++) {
            estimator.predict(pool[i], scratch);
            Prediction p = model.predict(poolMaps[i]);
            double viaMap = p.probabilities().get(target.positiveClass());
            if (viaMap != scratch[0]) {
                throw new IllegalStateException("row " + i + ": KilnModel.predict(Map) gives " + viaMap
                        + ", the estimator on the encoded row " + scratch[0]);
            }
        }
        for (int i = 0; i < 16; i++) {
            float one = boosterOneThread.predict(poolMatrices[i])[0][0];
            if (one != xgb[i][0]) {
                throw new IllegalStateException("row " + i + ": the nthread=1 booster gives " + one + ", not " + xgb[i][0]);
            }
        }
        if (maxDiff > 1e-5) {
            throw new IllegalStateException("Kiln and XGBoost disagree by " + maxDiff);
        }
        System.out.printf("%nmodel: %s; features=%d; max |kiln - xgboost| over %d rows = %.3g%n",
                BenchModels.describe(estimator), width, BATCH_ROWS, maxDiff);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DMatrix m : poolMatrices) {
            if (m != null) {
                m.dispose();
            }
        }
        if (booster != null) {
            booster.dispose();
        }
        if (boosterOneThread != null) {
            boosterOneThread.dispose();
        }
    }

    private int next() {
        int i = cursor;
        cursor = (i + 1) & (POOL - 1);
        return i;
    }

    // ---- single row: latency ----

    /** Kiln's estimator on an already-encoded feature vector (the output array is reused, as callers may). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void kilnSingleRow(Blackhole bh) {
        estimator.predict(pool[next()], scratch);
        bh.consume(scratch[0]);
    }

    /** The same row on the estimator's packed layout ({@code KilnModel.score} and {@code predict} use it). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void kilnSingleRowPacked(Blackhole bh) {
        packed.predict(pool[next()], scratch);
        bh.consume(scratch[0]);
    }

    /** The public API: a Map row through coercion, the feature pipeline, the trees and decoding. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Prediction kilnSingleRowFromMap() {
        return model.predict(poolMaps[next()]);
    }

    /** XGBoost4J as a caller must use it for one row: build a 1-row DMatrix, predict, free it. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[][] xgboostSingleRow() throws XGBoostError {
        DMatrix m = new DMatrix(poolFloat[next()], 1, width, Float.NaN);
        try {
            return booster.predict(m);
        } finally {
            m.dispose();
        }
    }

    /**
     * XGBoost4J on 1-row DMatrices built in setup. XGBoost caches the predictions of the 32 DMatrices it
     * saw last (per thread) and would skip the tree walk for a repeated matrix; cycling through 1024
     * matrices means every call here is a cache miss, i.e. a real prediction.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[][] xgboostSingleRowPrebuiltDMatrix() throws XGBoostError {
        return booster.predict(poolMatrices[next()]);
    }

    /** As {@link #xgboostSingleRowPrebuiltDMatrix} with {@code nthread=1}: no OpenMP hand-off per call. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[][] xgboostSingleRowPrebuiltDMatrixOneThread() throws XGBoostError {
        return boosterOneThread.predict(poolMatrices[next()]);
    }

    /** XGBoost4J's in-place prediction on a float[] row: no DMatrix, no prediction cache. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[][] xgboostSingleRowInplace() throws XGBoostError {
        return booster.inplace_predict(poolFloat[next()], 1, width, Float.NaN);
    }

    /**
     * TreeSHAP contributions of one encoded row (exact, path-dependent), on the per-model state {@code KilnModel}
     * keeps: what {@code KilnModel.explain} costs beyond encoding.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void kilnExplainSingleRow(Blackhole bh) {
        contributions.compute(pool[next()], phi);
        bh.consume(phi[0][0]);
    }

    /** XGBoost's own TreeSHAP ({@code pred_contribs}) for one row on a prebuilt 1-row DMatrix, {@code nthread=1}. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[][] xgboostExplainSingleRowOneThread() throws XGBoostError {
        return boosterOneThread.predictContrib(poolMatrices[next()], 0);
    }

    // ---- 10,000 rows: throughput in rows/s ----

    /** Kiln, one thread. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public void kilnBatch10k(Blackhole bh) {
        double[] s = scratch;
        for (int i = 0; i < BATCH_ROWS; i++) {
            estimator.predict(batch[i], s);
            batchOut[i] = s[0];
        }
        bh.consume(batchOut);
    }

    /** Kiln's block batch API ({@code Estimator.predictBatch}: tree-major over blocks of 64 rows), one thread. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public void kilnBlockBatch10k(Blackhole bh) {
        estimator.predictBatch(batch, batchOut2d);
        bh.consume(batchOut2d);
    }

    /** Kiln's block batch API over chunks on a parallel stream. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public void kilnBlockBatch10kParallel(Blackhole bh) {
        IntStream.range(0, CHUNKS).parallel().forEach(c -> {
            int from = (int) ((long) BATCH_ROWS * c / CHUNKS);
            int to = (int) ((long) BATCH_ROWS * (c + 1) / CHUNKS);
            estimator.predictBatch(java.util.Arrays.copyOfRange(batch, from, to), java.util.Arrays.copyOfRange(batchOut2d, from, to));
        });
        bh.consume(batchOut2d);
    }

    /** Kiln, rows split into chunks over a parallel stream (the common pool plus the calling thread). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public void kilnBatch10kParallel(Blackhole bh) {
        IntStream.range(0, CHUNKS).parallel().forEach(c -> {
            double[] s = new double[1];
            int from = (int) ((long) BATCH_ROWS * c / CHUNKS);
            int to = (int) ((long) BATCH_ROWS * (c + 1) / CHUNKS);
            for (int i = from; i < to; i++) {
                estimator.predict(batch[i], s);
                batchOut[i] = s[0];
            }
        });
        bh.consume(batchOut);
    }

    /** XGBoost4J: build the 10,000-row DMatrix from a float[] and predict (XGBoost uses all its threads). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public float[][] xgboostBatch10k() throws XGBoostError {
        DMatrix m = new DMatrix(batchFlat, BATCH_ROWS, width, Float.NaN);
        try {
            return booster.predict(m);
        } finally {
            m.dispose();
        }
    }

    /** XGBoost4J in-place prediction on the 10,000-row float[]. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH_ROWS)
    public float[][] xgboostBatch10kInplace() throws XGBoostError {
        return booster.inplace_predict(batchFlat, BATCH_ROWS, width, Float.NaN);
    }
}
