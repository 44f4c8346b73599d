package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationFitterTest {
    @Test
    void anOverconfidentBinaryModelIsPulledBackToTheObservedRates() {
        Random r = new Random(1);
        int n = 4000;
        double[][] out = new double[n][1];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double truth = r.nextDouble();
            y[i] = r.nextDouble() < truth ? 1 : 0;
            out[i][0] = truth < 0.5 ? truth / 3 : 1 - (1 - truth) / 3; // pushed towards 0 and 1
        }
        Calibration c = CalibrationFitter.fit(Task.BINARY, List.of("neg", "pos"), out, y);
        assertThat(c.method()).isEqualTo(Calibration.ISOTONIC);
        assertThat(c.rows()).isEqualTo(n);
        assertThat(c.fittedOn()).isEqualTo("validation rows");
        assertThat(c.maps()).hasSize(1);
        assertThat(c.maps().get(0).className()).isEqualTo("pos");
        // A raw 0.9 came from a true rate of 0.7.
        assertThat(c.apply(new double[] {0.1, 0.9})[1]).isCloseTo(0.7, within(0.07));
        c.validate(List.of("neg", "pos"));
    }

    @Test
    void tooFewRowsLeaveTheModelUncalibratedAndSaySo() {
        double[][] out = new double[20][1];
        int[] y = new int[20];
        Calibration c = CalibrationFitter.fit(Task.BINARY, List.of("neg", "pos"), out, y);
        assertThat(c.method()).isEqualTo(Calibration.NONE);
        assertThat(c.available()).isFalse();
        assertThat(c.notes()).singleElement().asString().contains("only 20 validation rows");
    }

    @Test
    void aRareClassKeepsItsRawProbabilityAndTheRowsStillSumToOne() {
        Random r = new Random(2);
        int n = 300;
        double[][] out = new double[n][3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i < 3 ? 2 : r.nextInt(2); // class 2 has three rows
            double a = 0.2 + 0.6 * r.nextDouble();
            out[i] = new double[] {a * 0.95, (1 - a) * 0.95, 0.05};
        }
        Calibration c = CalibrationFitter.fit(Task.MULTICLASS, List.of("a", "b", "c"), out, y);
        assertThat(c.method()).isEqualTo(Calibration.ISOTONIC);
        assertThat(c.maps().get(2).method()).isEqualTo(Calibration.IDENTITY);
        assertThat(c.maps().get(2).positives()).isEqualTo(3);
        assertThat(c.notes()).anyMatch(note -> note.contains("class 'c'") && note.contains("raw probability"));
        double[] q = c.apply(new double[] {0.5, 0.45, 0.05});
        assertThat(q[0] + q[1] + q[2]).isCloseTo(1.0, within(1e-12));
        c.validate(List.of("a", "b", "c"));
    }
}
