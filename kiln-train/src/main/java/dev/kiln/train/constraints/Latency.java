package dev.kiln.train.constraints;

import dev.kiln.data.DataFrame;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.KilnModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Single-row scoring latency, in process, as {@code --max-latency-us} and the leaderboard see it: the wall time of one
 * {@link KilnModel#predict(Map)} call on a row given as a map (what a server's handler does after parsing JSON; no
 * network, no JSON), in microseconds.
 *
 * <p>Measured so that a limit can be compared with it: up to {@value #MAX_ROWS} rows spread evenly over the given
 * rows; a warm-up of at least {@value #MIN_WARM_UP_CALLS} calls (so the JIT has compiled the scoring path); then
 * {@value #PASSES} timed passes of at least {@value #MIN_CALLS_PER_PASS} calls each (cycling through the rows when
 * there are fewer, so p99 is never the maximum of a handful of calls), each call timed on its own. Each pass gives its
 * p50 and p99; the result is the median pass's, so one garbage collection or compilation that lands in one pass does
 * not decide the figure. About 10,000 calls in all: a tenth of a second for a model that answers in 10 µs.
 *
 * @param p50Micros  the median call
 * @param p99Micros  the 99th percentile call
 * @param rows       distinct rows timed
 * @param timedCalls calls timed over all passes
 */
public record Latency(double p50Micros, double p99Micros, int rows, int timedCalls) {
    public static final int MAX_ROWS = 2_000;
    public static final int MIN_WARM_UP_CALLS = 4_000;
    public static final int MIN_CALLS_PER_PASS = 1_000;
    public static final int PASSES = 3;

    /** Keeps the JIT from discarding predictions nobody reads. */
    private static volatile int sink;

    /** The latency of {@code model} on {@code rows} (missing numbers given as null, as a JSON request gives them). */
    public static Latency measure(KilnModel model, DataFrame rows) {
        int n = Math.min(rows.rowCount(), MAX_ROWS);
        List<Map<String, Object>> maps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = new HashMap<>(rows.row((int) ((long) i * rows.rowCount() / n)));
            row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
            maps.add(row);
        }
        return measure(maps, model::predict);
    }

    /** The latency of {@code score} over {@code rows}; NaN figures when there are no rows. */
    public static <R> Latency measure(List<R> rows, Function<R, ?> score) {
        int n = rows.size();
        if (n == 0) {
            return new Latency(Double.NaN, Double.NaN, 0, 0);
        }
        int hash = 0;
        for (int i = 0, warmUp = Math.max(2 * n, MIN_WARM_UP_CALLS); i < warmUp; i++) {
            hash += System.identityHashCode(score.apply(rows.get(i % n)));
        }
        int calls = Math.max(n, MIN_CALLS_PER_PASS);
        double[] p50 = new double[PASSES];
        double[] p99 = new double[PASSES];
        double[] micros = new double[calls];
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < calls; i++) {
                R row = rows.get(i % n);
                long start = System.nanoTime();
                Object out = score.apply(row);
                micros[i] = (System.nanoTime() - start) / 1e3;
                hash += System.identityHashCode(out);
            }
            Arrays.sort(micros);
            p50[pass] = Profiler.quantile(micros, 0.5);
            p99[pass] = Profiler.quantile(micros, 0.99);
        }
        sink = hash;
        Arrays.sort(p50);
        Arrays.sort(p99);
        return new Latency(p50[PASSES / 2], p99[PASSES / 2], n, calls * PASSES);
    }
}
