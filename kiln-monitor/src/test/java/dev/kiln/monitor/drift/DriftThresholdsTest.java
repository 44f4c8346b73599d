package dev.kiln.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Thresholds come from `kiln drift` options: a bad one names its option, as an invalid argument. */
class DriftThresholdsTest {
    private static void refused(ThrowingCallable build, String message, String field) {
        assertThatThrownBy(build).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("field", field);
        }).hasMessage(message);
    }

    @Test
    void eachThresholdNamesItsOption() {
        refused(() -> new DriftThresholds(1.5, 0.1, 0.2, 0.05, 0.05, 0.5, 10),
                "ks_p_value (--ks-p-value) must be in [0, 1], was 1.5", "ks_p_value");
        refused(() -> new DriftThresholds(0.05, Double.NaN, 0.2, 0.05, 0.05, 0.5, 10),
                "ks_statistic (--ks-statistic) must be in [0, 1], was NaN", "ks_statistic");
        refused(() -> new DriftThresholds(0.05, 0.1, -0.2, 0.05, 0.05, 0.5, 10),
                "psi (--psi) must be a finite number >= 0, was -0.2", "psi");
        refused(() -> new DriftThresholds(0.05, 0.1, Double.POSITIVE_INFINITY, 0.05, 0.05, 0.5, 10),
                "psi (--psi) must be a finite number >= 0, was Infinity", "psi");
        refused(() -> new DriftThresholds(0.05, 0.1, 0.2, -1, 0.05, 0.5, 10),
                "chi_square_p_value (--chi-square-p-value) must be in [0, 1], was -1.0", "chi_square_p_value");
        refused(() -> new DriftThresholds(0.05, 0.1, 0.2, 0.05, 2, 0.5, 10),
                "unseen_share (--unseen-share) must be in [0, 1], was 2.0", "unseen_share");
        refused(() -> new DriftThresholds(0.05, 0.1, 0.2, 0.05, 0.05, 1.01, 10),
                "dataset_drift_share (--dataset-drift-share) must be in [0, 1], was 1.01", "dataset_drift_share");
        refused(() -> new DriftThresholds(0.05, 0.1, 0.2, 0.05, 0.05, 0.5, 0), "psi_bins must be in [1, 1000], was 0", "psi_bins");
        assertThat(new DriftThresholds(0, 0, 0, 1, 1, 1, 1000).psiBins()).isEqualTo(1000);
    }
}
