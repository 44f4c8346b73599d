package dev.kiln.bench;

import dev.kiln.runtime.profile.QuantileSketch;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building a {@link QuantileSketch} (default k) from one column of 1,000,000 values, as {@code kiln drift} and
 * {@code kiln profile} do for each numeric column: one value at a time ({@code add}) and in bulk ({@code addAll}).
 * Values: standard normal rounded to 6 decimals, as in bench/speed's files. Reports ns per value.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SketchBenchmark {
    static final int VALUES = 1_000_000;

    private double[] values;

    @Setup
    public void setUp() {
        Random r = new Random(42);
        values = new double[VALUES];
        for (int i = 0; i < VALUES; i++) {
            values[i] = Math.round(r.nextGaussian() * 1e6) / 1e6;
        }
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public QuantileSketch addOneByOne() {
        QuantileSketch s = new QuantileSketch();
        for (double v : values) {
            s.add(v);
        }
        return s;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public QuantileSketch addAll() {
        QuantileSketch s = new QuantileSketch();
        s.addAll(values, 0, values.length);
        return s;
    }
}
