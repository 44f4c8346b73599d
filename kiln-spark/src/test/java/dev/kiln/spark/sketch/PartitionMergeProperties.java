package dev.kiln.spark.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.data.SchemaInference;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The per-partition sketches merged as the driver merges them (through their JSON form), against kiln-data's rules on
 * the whole column: however the values are cut into partitions, the column gets kiln-data's type, its missing count,
 * its categories, and its mean and standard deviation (Chan's merge) to rounding.
 */
class PartitionMergeProperties {
    private static final String[] TOKENS = {"yes", "no", "True", " false ", "1", "0", "-7", "12", "2.5", "-0.25", "1e3",
            "2024-03-01", "2024-03-01T10:15:00Z", "c1", "c2", "abc", "", "NA", "null", " 4 "};

    @Provide
    Arbitrary<List<String>> columns() {
        // Columns drawn from a few tokens, so that every type (and a type that changes part-way) comes up.
        return Arbitraries.integers().between(1, 6).flatMap(kinds -> Arbitraries.of(TOKENS).list().ofMinSize(kinds).ofMaxSize(kinds))
                .flatMap(pool -> Arbitraries.of(pool).list().ofMinSize(0).ofMaxSize(60));
    }

    @Property(tries = 300)
    void mergedPartitionsTypeAndCountAColumnAsKilnDoes(@ForAll("columns") List<String> values,
                                                       @ForAll @IntRange(min = 1, max = 5) int partitions) throws Exception {
        SparkSketcher.Column merged = mergedColumn(values, partitions, 8);
        ColumnType kiln = SchemaInference.inferType(values);
        if (kiln == ColumnType.TEXT || kiln == ColumnType.CATEGORICAL) {
            assertThat(merged.type()).isIn(ColumnType.TEXT, ColumnType.CATEGORICAL);
        } else {
            assertThat(merged.type()).isEqualTo(kiln);
        }
        long missing = values.stream().filter(Values::isMissingToken).count();
        assertThat(merged.missing()).isEqualTo(missing);
        if (merged.type().isNumericLike()) {
            assertThat(merged.quantiles().count()).isEqualTo(values.size() - missing);
            double[] parsed = values.stream().filter(v -> !Values.isMissingToken(v))
                    .mapToDouble(v -> Values.parseAs(merged.type(), v)).toArray();
            if (parsed.length > 0) {
                assertThat(merged.quantiles().min()).isEqualTo(java.util.Arrays.stream(parsed).min().getAsDouble());
                assertThat(merged.quantiles().max()).isEqualTo(java.util.Arrays.stream(parsed).max().getAsDouble());
            }
        } else {
            Map<String, Long> counts = new TreeMap<>();
            values.stream().filter(v -> !Values.isMissingToken(v)).forEach(v -> counts.merge(v.trim(), 1L, Long::sum));
            assertThat(merged.categories().counts()).isEqualTo(counts);
        }
    }

    @Property(tries = 200)
    void mergedMomentsAreThoseOfTheWholeColumn(@ForAll("numbers") List<Double> numbers,
                                               @ForAll @IntRange(min = 1, max = 7) int partitions) throws Exception {
        List<String> values = numbers.stream().map(d -> Double.toString(d)).toList();
        SparkSketcher.Column merged = mergedColumn(values, partitions, QuantileSketch.DEFAULT_K);
        double mean = numbers.stream().mapToDouble(Double::doubleValue).sum() / numbers.size();
        double squares = numbers.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum();
        double scale = numbers.stream().mapToDouble(Math::abs).max().orElse(1);
        assertThat(merged.mean()).isCloseTo(mean, within(1e-9 * Math.max(scale, 1e-300)));
        if (numbers.size() > 1) {
            double std = Math.sqrt(squares / (numbers.size() - 1));
            // Relative to the spread, plus what the values' own rounding allows: at an offset of 1e6 a double holds a
            // value to about 1e-10, which bounds how well any algorithm knows a standard deviation of 1e-3.
            assertThat(merged.std()).isCloseTo(std, within(1e-9 * std + 1e-13 * scale));
        }
    }

    @Provide
    Arbitrary<List<Double>> numbers() {
        return Arbitraries.doubles().between(-1e6, 1e6).ofScale(3).list().ofMinSize(1).ofMaxSize(300)
                .map(l -> l.stream().map(d -> d + 1e6).toList());  // a large offset, where a naive sum of squares fails
    }

    /** {@code values} cut into {@code partitions} runs, each sketched and shipped as JSON, merged, recounted if need be. */
    static SparkSketcher.Column mergedColumn(List<String> values, int partitions, int k) throws Exception {
        String[] names = {"v"};
        SparkSketcher.Combined first = SparkSketcher.combine(names, partials(values, partitions, null, k), Map.of(), k,
                CategoryCounts.DEFAULT_MAX_CATEGORIES);
        SparkSketcher.Sketched sketched = first.sketched();
        if (!first.recount().isEmpty()) {
            ColumnType again = first.recount().get("v");
            sketched = SparkSketcher.replace(sketched, SparkSketcher.combine(names, partials(values, partitions, again, k),
                    first.recount(), k, CategoryCounts.DEFAULT_MAX_CATEGORIES).sketched());
        }
        assertThat(sketched.rows()).isEqualTo(values.size());
        return sketched.columns().get(0);
    }

    private static List<SketchPartitions.Partition> partials(List<String> values, int partitions, ColumnType forced, int k)
            throws Exception {
        List<SketchPartitions.Partition> parts = new ArrayList<>();
        int per = Math.max(1, (values.size() + partitions - 1) / partitions);
        for (int from = 0; from < values.size() || parts.isEmpty(); from += per) {
            ColumnPartial c = new ColumnPartial("v", forced, k, CategoryCounts.DEFAULT_MAX_CATEGORIES, true);
            List<String> part = values.subList(Math.min(from, values.size()), Math.min(from + per, values.size()));
            part.forEach(c::add);
            String json = Json.mapper().writeValueAsString(new SketchPartitions.Partition(part.size(), List.of(c.state())));
            parts.add(Json.mapper().readValue(json, SketchPartitions.Partition.class));
        }
        return parts;
    }
}
