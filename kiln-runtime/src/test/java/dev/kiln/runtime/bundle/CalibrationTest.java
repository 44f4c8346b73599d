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
}
