package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.bundle.Calibration;
import org.junit.jupiter.api.Test;

class PlattTest {
    /**
     * The expected slope and intercept come from scikit-learn 1.2.1 (Debian python3-sklearn), on the logits of these
     * probabilities clipped as {@link Calibration#logit} clips them:
     * <pre>
     * from sklearn.calibration import _sigmoid_calibration
     * pc = np.clip(p, 1e-9, 1 - 1e-9); F = np.log(pc / (1 - pc))
     * A, B = _sigmoid_calibration(F, y)   # scikit-learn's P = expit(-(A F + B)), so a = -A, b = -B
     * </pre>
     * giving a = 0.8401946532826854, b = 0.13637348080762413 (scikit-learn's BFGS stops at gradient 1e-5; a
     * Nelder-Mead run to 1e-12 gives a = 0.8401947560715064, b = 0.1363735315760944: Kiln's Newton fit reaches that).
     */
    @Test
    void matchesScikitLearnsSigmoidCalibration() {
        double[] p = {0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80,
                0.85, 0.90, 0.95, 0.99};
        double[] y = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1};
        double[] f = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            f[i] = Calibration.logit(p[i]);
        }
        Platt.Fit fit = Platt.fit(f, y);
        assertThat(fit.a()).isCloseTo(0.8401946532826854, within(1e-6));
        assertThat(fit.b()).isCloseTo(0.13637348080762413, within(1e-6));
        assertThat(fit.a()).isCloseTo(0.8401947560715064, within(1e-8));
        assertThat(fit.b()).isCloseTo(0.1363735315760944, within(1e-8));
    }

    @Test
    void aModelRankingBackwardsGetsTheBestConstantNotANegativeSlope() {
        double[] f = {-3, -2, -1, 0, 1, 2, 3, 4};
        double[] y = {1, 1, 1, 0, 1, 0, 0, 0};
        Platt.Fit fit = Platt.fit(f, y);
        assertThat(fit.a()).isZero();
        // the smoothed targets' mean: 4 positives at 5/6, 4 negatives at 1/6
        assertThat(Calibration.sigmoid(fit.b())).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void separableRowsStayFinite() {
        double[] f = {-2, -1, 1, 2};
        double[] y = {0, 0, 1, 1};
        Platt.Fit fit = Platt.fit(f, y);
        assertThat(Double.isFinite(fit.a()) && Double.isFinite(fit.b())).isTrue();
        assertThat(fit.a()).isPositive();
    }
}
