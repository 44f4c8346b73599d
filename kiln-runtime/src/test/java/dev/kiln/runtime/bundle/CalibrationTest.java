package dev.kiln.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    private static Calibration.ClassMap map(String c, double[] x, double[] y) {
        return new Calibration.ClassMap(c, Calibration.ISOTONIC, x, y, 20, 20);
    }

    @Test
    void interpolatesBetweenPointsAndClipsBeyondThem() {
        Calibration.ClassMap m = map("pos", new double[] {0.2, 0.4, 0.8}, new double[] {0.1, 0.3, 0.5});
        assertThat(m.apply(0.0)).isEqualTo(0.1);
        assertThat(m.apply(0.3)).isCloseTo(0.2, within(1e-12));
        assertThat(m.apply(0.4)).isEqualTo(0.3);
        assertThat(m.apply(0.6)).isCloseTo(0.4, within(1e-12));
        assertThat(m.apply(1.0)).isEqualTo(0.5);
    }

    @Test
    void binaryCalibratesThePositiveClassAndMulticlassRenormalises() {
        Calibration binary = new Calibration(Calibration.ISOTONIC, "validation rows", 40,
                List.of(map("pos", new double[] {0, 1}, new double[] {0.2, 0.6})), List.of());
        assertThat(binary.apply(new double[] {0.5, 0.5})).containsExactly(new double[] {0.6, 0.4}, within(1e-12));
        Calibration multi = new Calibration(Calibration.ISOTONIC, "validation rows", 40, List.of(
                map("a", new double[] {0, 1}, new double[] {0, 1}),
                new Calibration.ClassMap("b", Calibration.IDENTITY, null, null, 3, 37),
                map("c", new double[] {0, 1}, new double[] {0, 0.5})), List.of());
        double[] q = multi.apply(new double[] {0.4, 0.2, 0.4});
        // 0.4, 0.2, 0.2 renormalised
        assertThat(q).containsExactly(new double[] {0.5, 0.25, 0.25}, within(1e-12));
        multi.validate(List.of("a", "b", "c"));
    }

    @Test
    void roundTripsThroughJsonAndRefusesAMapForAnotherClass() throws Exception {
        Calibration c = new Calibration(Calibration.ISOTONIC, "validation rows", 40,
                List.of(map("pos", new double[] {0, 1}, new double[] {0.2, 0.6})), List.of("a note"));
        Calibration back = Json.mapper().readValue(Json.mapper().writeValueAsBytes(c), Calibration.class);
        assertThat(back.rows()).isEqualTo(40);
        assertThat(back.notes()).containsExactly("a note");
        assertThat(back.maps().get(0).y()).containsExactly(0.2, 0.6);
        assertThat(Json.mapper().writeValueAsString(c)).contains("\"fitted_on\"").contains("\"class\" : \"pos\"");
        back.validate(List.of("neg", "pos"));
        assertThatThrownBy(() -> back.validate(List.of("pos", "neg"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected 'neg'");
    }

    @Test
    void plattMapIsTheSigmoidOfTheLogitWithProbabilitiesClippedAwayFromZeroAndOne() {
        Calibration.ClassMap m = Calibration.ClassMap.platt("pos", 2, 0.5, 20, 20);
        // logit(0.7) = ln(7/3); q = 1 / (1 + exp(-(2 ln(7/3) + 0.5)))
        double z = 2 * Math.log(0.7 / 0.3) + 0.5;
        assertThat(m.apply(0.7)).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-12));
        // 0 and 1 are clipped to 1e-9 and 1 - 1e-9: finite logits, so the map stays defined there
        assertThat(m.apply(0.0)).isEqualTo(m.apply(Calibration.PLATT_EPS)).isGreaterThan(0);
        assertThat(m.apply(1.0)).isEqualTo(m.apply(1 - Calibration.PLATT_EPS));
        assertThat(Calibration.logit(0.0)).isCloseTo(Math.log(1e-9 / (1 - 1e-9)), within(1e-9));
        assertThat(m.apply(Double.NaN)).isNaN();
        Calibration c = new Calibration(Calibration.PLATT, "held-out rows", 40, List.of(m), List.of(), true);
        assertThat(c.apply(new double[] {0.3, 0.7})).containsExactly(new double[] {1 - m.apply(0.7), m.apply(0.7)}, within(1e-12));
        c.validate(List.of("neg", "pos"));
    }

    @Test
    void appliedAndPlattRoundTripThroughJsonAndAbsentAppliedReadsAsFormat13() throws Exception {
        Calibration c = new Calibration(Calibration.PLATT, "held-out rows", 80, List.of(
                Calibration.ClassMap.platt("a", 1.5, -0.25, 30, 50),
                new Calibration.ClassMap("b", Calibration.IDENTITY, null, null, 5, 75),
                Calibration.ClassMap.platt("c", 0.5, 0.1, 45, 35)), List.of(), true);
        String json = Json.mapper().writeValueAsString(c);
        assertThat(json).contains("\"applied\" : true").contains("\"a\" : 1.5").contains("\"b\" : -0.25");
        Calibration back = Json.mapper().readValue(json, Calibration.class);
        assertThat(back.applied()).isTrue();
        assertThat(back.method()).isEqualTo(Calibration.PLATT);
        assertThat(back.maps().get(0).a()).isEqualTo(1.5);
        assertThat(back.maps().get(0).b()).isEqualTo(-0.25);
        assertThat(back.maps().get(1).a()).isNull();
        assertThat(back.apply(new double[] {0.2, 0.3, 0.5})).containsExactly(c.apply(new double[] {0.2, 0.3, 0.5}), within(0.0));
        back.validate(List.of("a", "b", "c"));

        String format13 = "{\"method\":\"isotonic\",\"fitted_on\":\"validation rows\",\"rows\":40,\"maps\":[{\"class\":\"pos\","
                + "\"method\":\"isotonic\",\"x\":[0,1],\"y\":[0.2,0.6],\"positives\":20,\"negatives\":20}],\"notes\":[]}";
        Calibration old = Json.mapper().readValue(format13, Calibration.class);
        assertThat(old.applied()).isFalse();
        assertThat(old.available()).isTrue();
        assertThat(old.maps().get(0).a()).isNull();
        old.validate(List.of("neg", "pos"));
    }

    @Test
    void refusesAPlattMapWithANegativeSlopeAMapOfAnotherKindAndAnAppliedNone() {
        Calibration negative = new Calibration(Calibration.PLATT, "held-out rows", 40,
                List.of(Calibration.ClassMap.platt("pos", -1, 0, 20, 20)), List.of(), true);
        assertThatThrownBy(() -> negative.validate(List.of("neg", "pos"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a >= 0");
        Calibration mixed = new Calibration(Calibration.PLATT, "held-out rows", 40,
                List.of(map("pos", new double[] {0, 1}, new double[] {0, 1})), List.of(), true);
        assertThatThrownBy(() -> mixed.validate(List.of("neg", "pos"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("platt or identity");
        Calibration none = new Calibration(Calibration.NONE, "held-out rows", 10, List.of(), List.of(), true);
        assertThatThrownBy(() -> none.validate(List.of("neg", "pos"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be applied");
    }

    @Test
    void rawProbabilitiesKeptAfterTheComparisonAreAvailableToEstimationButChangeNothing() {
        Calibration kept = new Calibration(Calibration.IDENTITY, "held-out rows", 200,
                List.of(new Calibration.ClassMap("pos", Calibration.IDENTITY, null, null, 100, 100)), List.of(), true);
        kept.validate(List.of("neg", "pos"));
        assertThat(kept.transforms()).isFalse();
        assertThat(kept.available()).isTrue();
        assertThat(kept.apply(new double[] {0.3, 0.7})).containsExactly(0.3, 0.7);
        Calibration notApplied = new Calibration(Calibration.IDENTITY, "held-out rows", 200, kept.maps(), List.of(), false);
        assertThat(notApplied.available()).isFalse();
    }
}
