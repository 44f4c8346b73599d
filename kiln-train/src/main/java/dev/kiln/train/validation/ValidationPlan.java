package dev.kiln.train.validation;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How candidates are validated on the training rows: the folds, each a set of rows to fit on and a disjoint
 * set to score on, as indices into the training rows.
 *
 * @param kind        how the folds were made
 * @param folds       the folds; holdout has one
 * @param description one line for the report, e.g. "stratified 5-fold cross-validation of 1000 rows"
 * @param notes       what the user should know (a class too small to validate, fewer groups than folds)
 */
public record ValidationPlan(Kind kind, List<Fold> folds, String description, List<String> notes) {
    public enum Kind {
        KFOLD, STRATIFIED_KFOLD, GROUP_KFOLD, FORWARD_CHAINING, HOLDOUT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Rows to fit on and rows to score on; disjoint, each sorted ascending. */
    public record Fold(int[] fit, int[] valid) {
    }

    public ValidationPlan {
        folds = List.copyOf(folds);
        notes = List.copyOf(notes);
    }

    /** Whether each fold holds out different rows (k-fold, forward chaining) rather than one holdout. */
    public boolean crossValidated() {
        return kind != Kind.HOLDOUT;
    }

    /**
     * The plan for a request. Time ({@code --time-column}) gives forward chaining (scikit-learn's
     * {@code TimeSeriesSplit}), or for many rows a holdout of the latest rows; groups give group k-fold
     * (scikit-learn's {@code GroupKFold}) or a holdout of whole groups; classes give stratified k-fold
     * ({@code StratifiedKFold(shuffle=True)}) or a stratified holdout; otherwise shuffled k-fold or holdout.
     */
    public static ValidationPlan of(ValidationRequest request) {
        int n = request.rows();
        if (n < 2) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "validation needs at least 2 training rows, got " + n,
                    Map.of("rows", n));
        }
        if (request.folds() < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "folds must be at least 2, got " + request.folds(),
                    Map.of("folds", request.folds()));
        }
        double fraction = request.holdoutFraction();
        if (!(fraction > 0.0 && fraction < 1.0)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "holdout fraction must be in (0, 1), got " + fraction,
                    Map.of("holdout_fraction", fraction));
        }
        checkLength("classIds", request.classIds() == null ? -1 : request.classIds().length, n);
        checkLength("groups", request.groups() == null ? -1 : request.groups().length, n);
        checkLength("times", request.times() == null ? -1 : request.times().length, n);
        if (request.groups() != null && request.times() != null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--group-column and --time-column cannot be used "
                    + "together: forward chaining by time would put rows of one group on both sides of a split",
                    Map.of("option", "--group-column"));
        }
        boolean cv = n < request.cvBelowRows();
        if (request.times() != null) {
            return cv ? TimeSplits.forwardChaining(request.times(), request.folds())
                    : TimeSplits.latestHoldout(request.times(), fraction);
        }
        if (request.groups() != null) {
            return cv ? GroupSplits.groupKFold(request.groups(), request.folds(), request.seed())
                    : GroupSplits.groupHoldout(request.groups(), fraction, request.seed());
        }
        if (request.classIds() != null) {
            return cv ? ClassSplits.stratifiedKFold(request.classIds(), request.folds(), request.seed())
                    : ClassSplits.stratifiedHoldout(request.classIds(), fraction, request.seed());
        }
        return cv ? ClassSplits.stratifiedKFold(new int[n], request.folds(), request.seed()).as(Kind.KFOLD,
                        "shuffled")
                : ClassSplits.stratifiedHoldout(new int[n], fraction, request.seed()).as(Kind.HOLDOUT, "random");
    }

    private ValidationPlan as(Kind newKind, String adjective) {
        String text = description.replaceFirst("^stratified", adjective);
        return new ValidationPlan(newKind, folds, text, notes.stream().filter(s -> !s.startsWith("class ")).toList());
    }

    private static void checkLength(String what, int length, int n) {
        if (length >= 0 && length != n) {
            throw new IllegalArgumentException(what + " has " + length + " entries for " + n + " rows");
        }
    }

    /** Folds from each row's fold number (-1: never validated), every other validated row fitting. */
    static List<Fold> foldsFromAssignment(int[] foldOfRow, int k) {
        List<Fold> out = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int validCount = 0;
            for (int a : foldOfRow) {
                validCount += a == f ? 1 : 0;
            }
            int[] valid = new int[validCount];
            int[] fit = new int[foldOfRow.length - validCount];
            int v = 0;
            int t = 0;
            for (int i = 0; i < foldOfRow.length; i++) {
                if (foldOfRow[i] == f) {
                    valid[v++] = i;
                } else {
                    fit[t++] = i;
                }
            }
            out.add(new Fold(fit, valid));
        }
        return out;
    }
}
