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
 * <p>What it measures is the model's own cost per row, so that a limit can be compared with it from run to run and
 * machine to machine load: up to {@value #MAX_ROWS} rows spread evenly over the given rows; a warm-up of at least
 * {@value #MIN_WARM_UP_CALLS} calls (so the JIT has compiled the scoring path); then {@value #PASSES} passes of at least
 * {@value #MIN_CALLS_PER_PASS} calls each (cycling through the rows when there are fewer, so that p99 is never the
 * maximum of a handful of calls), every call timed on its own. A call's time is the least of its passes: a garbage
 * collection, a compilation or the scheduler taking the core lands on one pass, rarely on the same call of all three,
 * while what makes a row slow (a deeper path, more levels to look up) is there in every pass. p50 and p99 are taken
 * over those per-call times. A server under load adds queueing and pauses on top; its own metrics report those.
 * About 8,000 calls in all for 2,000 rows (as many as the measurement before, which timed one pass).
 *
 * @param p50Micros  the median of the per-call times
 * @param p99Micros  their 99th percentile
 * @param rows       distinct rows timed
 * @param timedCalls calls timed over all passes
 */
public record Latency(double p50Micros, double p99Micros, int rows, int timedCalls) {
    public static final int MAX_ROWS = 2_000;
    public static final int MIN_WARM_UP_CALLS = 2_000;
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
        for (int i = 0, warmUp = Math.max(n, MIN_WARM_UP_CALLS); i < warmUp; i++) {
            hash += score.apply(rows.get(i % n)) == null ? 1 : 0;
        }
        int calls = Math.max(n, MIN_CALLS_PER_PASS);
        double[] micros = new double[calls];
        Arrays.fill(micros, Double.POSITIVE_INFINITY);
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < calls; i++) {
                R row = rows.get(i % n);
                long start = System.nanoTime();
                Object out = score.apply(row);
                micros[i] = Math.min(micros[i], (System.nanoTime() - start) / 1e3);
                hash += out == null ? 1 : 0;
            }
        }
        sink = hash;
        Arrays.sort(micros);
        return new Latency(Profiler.quantile(micros, 0.5), Profiler.quantile(micros, 0.99), n, calls * PASSES);
    }
}
