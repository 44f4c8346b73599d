package dev.kiln.train;

import dev.kiln.runtime.bundle.Calibration;
import dev.kiln.train.calibration.CalibrationReport;
import dev.kiln.train.search.TuneResult;
import java.util.List;

/**
 * One candidate of a training run, as it will ship: the model refitted on every training row with the configuration its
 * search chose, the encoding it reads, and its out-of-fold outputs (what the candidate would have said about each
 * training row without having seen it), on which it is chosen, calibrated and ensembled.
 *
 * @param oof         out-of-fold outputs per training row, in the estimator's layout; a row not {@code covered} (never
 *                    validated, e.g. the earliest block of a forward-chaining plan) holds an empty array
 * @param tune        the search that chose the configuration; null for candidates not searched (an ensemble, a warm start)
 * @param rawTest     the model's outputs for its encoding's test rows, uncalibrated, taken when it is fitted: an
 *                    encoding's test rows are then let go once no later candidate reads them (see
 *                    {@link #testOutputs()})
 * @param calibration the calibration applied to the model's probabilities (classifiers); null before it is fitted and for
 *                    regression and the baseline
 */
record Fitted(String algorithm, TrainedModel model, Encoded enc, double trainSeconds, double[][] oof, boolean[] covered,
              TuneResult tune, List<String> notes, double[][] rawTest, Calibration calibration,
              CalibrationReport calibrationReport) {

    /** A candidate just fitted: its outputs for the test rows of {@code enc} are taken now. */
    Fitted(String algorithm, TrainedModel model, Encoded enc, double trainSeconds, double[][] oof, boolean[] covered,
           TuneResult tune, List<String> notes) {
        this(algorithm, model, enc, trainSeconds, oof, covered, tune, notes, raw(model, enc.testX()), null, null);
    }

    /** This candidate with {@code e} in place of its encoding (its released form: the same pipeline and test rows). */
    Fitted withEncoding(Encoded e) {
        return new Fitted(algorithm, model, e, trainSeconds, oof, covered, tune, notes, rawTest, calibration,
                calibrationReport);
    }

    Fitted withCalibration(Calibration c, CalibrationReport report) {
        return new Fitted(algorithm, model, enc, trainSeconds, oof, covered, tune, notes, rawTest, c, report);
    }

    /** The model's outputs for the test rows, calibrated as it will serve them (a new array when calibrated). */
    double[][] testOutputs() {
        return Calibrated.outputs(calibration, rawTest);
    }

    private static double[][] raw(TrainedModel model, double[][] x) {
        double[][] out = new double[x.length][model.estimator().outputs()];
        model.estimator().predictBatch(x, out);
        return out;
    }

    /** The out-of-fold outputs of the covered rows, and their targets. */
    double[][] coveredOof() {
        return Calibrated.select(oof, covered);
    }
}
