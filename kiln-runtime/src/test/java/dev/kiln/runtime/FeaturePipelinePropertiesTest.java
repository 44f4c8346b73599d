package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.features.FeatureTransform.DatePart;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

class FeaturePipelinePropertiesTest {
    static final FeaturePipeline PIPELINE = new FeaturePipeline(List.of(
            new FeatureTransform.Numeric("x", 2.5, true, 1.0, 4.0),
            new FeatureTransform.OneHot("c", List.of("a", "b", "c"), "b", true),
            new FeatureTransform.DateParts("t", List.of(DatePart.YEAR, DatePart.MONTH, DatePart.DAY_OF_WEEK), 0, false)));

    @Property
    void oneHotIsExactlyOneLevelOrTheUnknownBucket(@ForAll String level) {
        double[] out = new double[PIPELINE.width()];
        PIPELINE.transform(new Object[] {1.0, level, 0.0}, out);
        double hot = out[2] + out[3] + out[4] + out[5];
        assertThat(hot).isEqualTo(1.0);
        int index = List.of("a", "b", "c").indexOf(level);
        assertThat(out[2 + (index < 0 ? 3 : index)]).isEqualTo(1.0);
        assertThat(out[6]).isZero();
    }

    @Property
    void numericIsStandardisedAndMissingIsImputedAndFlagged(@ForAll @DoubleRange(min = -1e9, max = 1e9) double x) {
        double[] out = new double[PIPELINE.width()];
        PIPELINE.transform(new Object[] {x, "a", 0.0}, out);
        assertThat(out[0]).isEqualTo((x - 1.0) / 4.0);
        assertThat(out[1]).isZero();
        PIPELINE.transform(new Object[] {Double.NaN, null, 0.0}, out);
        assertThat(out[0]).isEqualTo((2.5 - 1.0) / 4.0);
        assertThat(out[1]).isEqualTo(1.0);
        assertThat(out[3]).as("missing category takes the mode 'b'").isEqualTo(1.0);
        assertThat(out[6]).isEqualTo(1.0);
    }

    @Property
    void datePartsMatchTheCalendar(@ForAll @LongRange(min = -2_000_000_000_000L, max = 4_000_000_000_000L) long millis) {
        double[] out = new double[PIPELINE.width()];
        PIPELINE.transform(new Object[] {0.0, "a", (double) millis}, out);
        var t = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC);
        assertThat(out[7]).isEqualTo(t.getYear());
        assertThat(out[8]).isEqualTo(t.getMonthValue());
        assertThat(out[9]).isEqualTo(t.getDayOfWeek().getValue());
    }

    @Property
    void featureNamesMatchTheWidth(@ForAll boolean indicator) {
        var p = new FeaturePipeline(List.of(new FeatureTransform.OneHot("c", List.of("a"), null, indicator)));
        assertThat(p.featureNames()).hasSize(p.width()).contains("c=__unknown__");
        double[] out = new double[p.width()];
        p.transform(new Object[] {null}, out);
        assertThat(out[1]).as("missing without a mode goes to the unknown bucket").isEqualTo(1.0);
    }
}
