package dev.kiln.monitor.drift;

import dev.kiln.monitor.stats.ChiSquare;
import dev.kiln.monitor.stats.KolmogorovSmirnov;
import dev.kiln.monitor.stats.PopulationStability;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Compares a current data set with a reference, feature by feature, from their sketches, applying
 * the rule documented on {@link DriftThresholds}.
 */
public final class DriftAnalyzer {
    private DriftAnalyzer() {
    }

    public static DriftReport compare(DatasetSketch reference, DatasetSketch current) {
        return compare(reference, current, DriftThresholds.defaults());
    }

    public static DriftReport compare(DatasetSketch reference, DatasetSketch current, DriftThresholds t) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(current, "current");
        t = t == null ? DriftThresholds.defaults() : t;
        List<FeatureDrift> features = new ArrayList<>();
        List<String> missingInCurrent = new ArrayList<>();
        for (ColumnSketch r : reference.columns()) {
            var c = current.find(r.name());
            if (c.isEmpty()) {
                missingInCurrent.add(r.name());
            } else {
                features.add(feature(r, c.get(), t));
            }
        }
        List<String> missingInReference = current.names().stream().filter(n -> reference.find(n).isEmpty()).toList();
        int drifted = (int) features.stream().filter(FeatureDrift::drift).count();
        double share = features.isEmpty() ? 0.0 : (double) drifted / features.size();
        return new DriftReport(reference.rows(), current.rows(), features, drifted, share,
                drifted > 0 && share >= t.datasetDriftShare(), missingInCurrent, missingInReference, t);
    }

    /** Drift of one column present on both sides. */
    public static FeatureDrift feature(ColumnSketch r, ColumnSketch c, DriftThresholds t) {
        String kind = r.numeric() ? FeatureDrift.NUMERIC : FeatureDrift.CATEGORICAL;
        List<String> reasons = new ArrayList<>();
        if (r.numeric() != c.numeric()) {
            reasons.add("type changed: " + r.type().wireName() + " in the reference, " + c.type().wireName()
                    + " in the current data");
            return new FeatureDrift(r.name(), kind, r.count(), c.count(), r.missingShare(), c.missingShare(),
                    null, null, null, null, null, null, null, null, true, reasons);
        }
        if (r.count() == 0 || c.count() == 0) {
            boolean drift = r.count() != c.count() && (r.total() > 0 && c.total() > 0);
            if (drift) {
                reasons.add("no present values in the " + (r.count() == 0 ? "reference" : "current data")
                        + " (all missing)");
            }
            return new FeatureDrift(r.name(), kind, r.count(), c.count(), r.missingShare(), c.missingShare(),
                    null, null, null, null, null, null, null, null, drift, reasons);
        }
        double psi = PopulationStability.bins(r, c, t.psiBins()).psi();
        if (r.numeric()) {
            QuantileSketch rq = r.quantiles();
            QuantileSketch cq = c.quantiles();
            KolmogorovSmirnov.Result ks = KolmogorovSmirnov.test(rq, cq);
            boolean significant = ks.pValue() < t.ksPValue();
            boolean large = ks.statistic() >= t.ksStatistic() || psi >= t.psi();
            boolean drift = significant && large;
            if (drift) {
                reasons.add(String.format(Locale.ROOT, "KS p-value %.3g < %s", ks.pValue(), fmt(t.ksPValue())));
                if (ks.statistic() >= t.ksStatistic()) {
                    reasons.add(String.format(Locale.ROOT, "KS statistic %.4f >= %s", ks.statistic(), fmt(t.ksStatistic())));
                }
                if (psi >= t.psi()) {
                    reasons.add(String.format(Locale.ROOT, "PSI %.4f >= %s", psi, fmt(t.psi())));
                }
            }
            return new FeatureDrift(r.name(), kind, r.count(), c.count(), r.missingShare(), c.missingShare(),
                    ks.statistic(), ks.pValue(), ks.method(), psi, null, null, null, null, drift, reasons);
        }
        CategoryCounts rc = r.categories();
        CategoryCounts cc = c.categories();
        ChiSquare.Result chi = ChiSquare.test(rc, cc);
        double unseen = PopulationStability.unseenShare(rc, cc);
        boolean significant = chi.pValue() < t.chiSquarePValue();
        boolean large = psi >= t.psi() || unseen >= t.unseenShare();
        boolean drift = significant && large;
        if (drift) {
            reasons.add(String.format(Locale.ROOT, "chi-square p-value %.3g < %s", chi.pValue(), fmt(t.chiSquarePValue())));
            if (psi >= t.psi()) {
                reasons.add(String.format(Locale.ROOT, "PSI %.4f >= %s", psi, fmt(t.psi())));
            }
            if (unseen >= t.unseenShare()) {
                reasons.add(String.format(Locale.ROOT, "unseen categories %.4f of current values >= %s", unseen,
                        fmt(t.unseenShare())));
            }
        }
        return new FeatureDrift(r.name(), kind, r.count(), c.count(), r.missingShare(), c.missingShare(),
                null, null, null, psi, chi.statistic(), chi.dof(), chi.pValue(), unseen, drift, reasons);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
