package dev.kiln.train.calibration;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What calibrating a classifier found, for the training report and the run page.
 *
 * @param method            the map chosen: {@code isotonic}, {@code platt}, or {@code none} (the raw probabilities kept:
 *                          neither map beat them, or too few held-out rows to try; {@code notes} say which)
 * @param applied           whether the runtime applies a map to the probabilities it returns
 * @param rows              the held-out rows calibration was fitted and judged on
 * @param folds             the cross-validation folds within those rows that judged the maps (0 when not tried)
 * @param cvLogLossRaw      log loss of the raw probabilities on the held-out rows; null when not tried
 * @param cvLogLossIsotonic log loss of isotonic calibration, each fold's rows calibrated by a map fitted on the others
 * @param cvLogLossPlatt    the same for Platt scaling
 * @param curveOf           what the curves and ECE bin: {@code p_positive} (binary) or {@code top_class} (multiclass: the
 *                          highest probability, observed = the share of rows whose class it is)
 * @param eceBefore         expected calibration error of the raw probabilities, {@link Reliability#BINS} equal-width bins
 * @param eceAfter          the same for the probabilities the model returns: cross-validated (each row calibrated by the
 *                          chosen map fitted on the other folds, so not flattered by fitting on it); equal to
 *                          {@code eceBefore} when nothing is applied
 * @param curveBefore       the reliability curve of the raw probabilities (non-empty bins only)
 * @param curveAfter        the reliability curve after, as {@code eceAfter}
 */
public record CalibrationReport(
        String method,
        boolean applied,
        long rows,
        int folds,
        @JsonProperty("cv_log_loss_raw") Double cvLogLossRaw,
        @JsonProperty("cv_log_loss_isotonic") Double cvLogLossIsotonic,
        @JsonProperty("cv_log_loss_platt") Double cvLogLossPlatt,
        @JsonProperty("curve_of") String curveOf,
        @JsonProperty("ece_before") double eceBefore,
        @JsonProperty("ece_after") double eceAfter,
        @JsonProperty("curve_before") List<Reliability.Bin> curveBefore,
        @JsonProperty("curve_after") List<Reliability.Bin> curveAfter,
        List<String> notes) {

    public CalibrationReport {
        curveBefore = curveBefore == null ? List.of() : List.copyOf(curveBefore);
        curveAfter = curveAfter == null ? List.of() : List.copyOf(curveAfter);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
