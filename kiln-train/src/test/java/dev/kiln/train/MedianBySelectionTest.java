package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The median by selection is, bit for bit, the median the pipeline took from a full sort before. */
class MedianBySelectionTest {

    @Property(tries = 500)
    void selectionGivesTheSortedMedianBitForBit(@ForAll("columns") List<Double> column) {
        double[] values = column.stream().mapToDouble(Double::doubleValue).toArray();
        double[] copy = values.clone();
        assertThat(Double.doubleToRawLongBits(FeaturePipelineFitter.median(values)))
                .isEqualTo(Double.doubleToRawLongBits(bySort(values)));
        assertThat(values).as("the caller's values are left as they were").isEqualTo(copy);
    }

    @Provide
    Arbitrary<List<Double>> columns() {
        Arbitrary<Double> value = Arbitraries.oneOf(
                Arbitraries.of(0.0, -0.0, 1.0, -1.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE,
                        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY),
                Arbitraries.integers().between(-5, 5).map(Integer::doubleValue),
                Arbitraries.doubles());
        return value.list().ofMinSize(0).ofMaxSize(400);
    }

    /** The median as FeaturePipelineFitter computed it before (a sort of a copy). */
    private static double bySort(double[] values) {
        if (values.length == 0) {
            return 0.0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        if (sorted.length % 2 == 1) {
            return sorted[mid];
        }
        double median = (sorted[mid - 1] + sorted[mid]) / 2.0;
        return Double.isFinite(median) ? median : sorted[mid - 1] / 2.0 + sorted[mid] / 2.0;
    }
}
