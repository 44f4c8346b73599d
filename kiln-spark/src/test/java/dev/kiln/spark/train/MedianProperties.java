package dev.kiln.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.profile.QuantileSketch;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/** The median {@code kiln spark train} imputes: kiln train's while the sketch holds every value, else within its rank error. */
class MedianProperties {
    @Property(tries = 200)
    void exactWhileTheSketchHoldsEveryValue(@ForAll @Size(min = 1, max = 1024) List<@DoubleRange(min = -1e6, max = 1e6) Double> values) {
        QuantileSketch sketch = sketch(values);
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        assertThat(SparkPipelineFitter.median(sketch)).isEqualTo(expected);
    }

    @Property(tries = 20)
    void withinTheRankErrorOnceCompacted(@ForAll @Size(min = 2000, max = 6000) List<@DoubleRange(min = -1e6, max = 1e6) Double> values) {
        QuantileSketch sketch = sketch(values);
        double median = SparkPipelineFitter.median(sketch);
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        // Its rank among the values (an interval when values repeat) reaches 1/2 within the sketch's rank error.
        double below = Arrays.stream(sorted).filter(v -> v < median).count() / (double) sorted.length;
        double atOrBelow = Arrays.stream(sorted).filter(v -> v <= median).count() / (double) sorted.length;
        double error = QuantileSketch.rankErrorBound(QuantileSketch.DEFAULT_K) + 1.0 / sorted.length;
        assertThat(below).isLessThanOrEqualTo(0.5 + error);
        assertThat(atOrBelow).isGreaterThanOrEqualTo(0.5 - error);
    }

    private static QuantileSketch sketch(List<Double> values) {
        QuantileSketch sketch = new QuantileSketch(QuantileSketch.DEFAULT_K);
        values.forEach(sketch::add);
        return sketch;
    }
}
