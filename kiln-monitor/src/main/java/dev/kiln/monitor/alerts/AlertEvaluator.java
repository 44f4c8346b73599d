package dev.kiln.monitor.alerts;

import dev.kiln.monitor.drift.FeatureDrift;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Evaluates alert rules against what is known about a model. Pure: storing and posting alerts is the caller's job. */
public final class AlertEvaluator {
    /** Metrics where a larger value is worse: a "drop" is an increase. */
    private static final Set<String> LOWER_IS_BETTER = Set.of("log_loss", "rmse", "mae", "brier");

    private AlertEvaluator() {
    }

    public static List<Evaluation> evaluate(AlertRules rules, MonitorSnapshot s) {
        List<Evaluation> out = new ArrayList<>();
        for (AlertRules.Rule r : rules.rules()) {
            out.add(evaluate(r, s));
        }
        return out;
    }

    static Evaluation evaluate(AlertRules.Rule r, MonitorSnapshot s) {
        return switch (r.kind()) {
            case FEATURE_PSI -> featurePsi(r, s);
            case FEATURE_DRIFT -> featureDrift(r, s);
            case PREDICTION_PSI -> predictionPsi(r, s);
            case METRIC_DROP -> metricDrop(r, s);
            case ESTIMATED_METRIC_DROP -> EstimatedMetricDrop.evaluate(r, s);
            case ERROR_RATE -> errorRate(r, s);
            case LATENCY_P99 -> latency(r, s);
        };
    }

    private static Evaluation featurePsi(AlertRules.Rule r, MonitorSnapshot s) {
        if (s.inputDrift() == null || s.rows() < r.minRows()) {
            return noData(r, "needs at least " + r.minRows() + " logged rows and a training reference; has " + s.rows());
        }
        List<Map<String, Object>> above = new ArrayList<>();
        double worst = 0;
        String worstName = null;
        for (FeatureDrift f : s.inputDrift().features()) {
            if (r.feature() != null && !r.feature().equals(f.name())) {
                continue;
            }
            if (f.psi() != null && f.psi() > worst) {
                worst = f.psi();
                worstName = f.name();
            }
            if (f.psi() != null && f.psi() > r.threshold()) {
                above.add(featureEvidence(f));
            }
        }
        if (r.feature() != null && s.inputDrift().feature(r.feature()) == null) {
            return noData(r, "feature '" + r.feature() + "' is not in the drift report");
        }
        above.sort(Comparator.comparingDouble((Map<String, Object> m) -> -((Double) m.get("psi"))));
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("threshold", r.threshold());
        evidence.put("rows", s.rows());
        evidence.put("features", above);
        if (above.isEmpty()) {
            return new Evaluation(r, Evaluation.Status.OK, worstName == null ? "no feature PSI to compare"
                    : "highest PSI " + fmt(worst) + " (" + worstName + ") is within " + fmt(r.threshold()), evidence);
        }
        List<String> names = above.stream().map(m -> m.get("name") + " " + fmt((Double) m.get("psi"))).toList();
        return new Evaluation(r, Evaluation.Status.FIRING, above.size() + " feature(s) with PSI above " + fmt(r.threshold())
                + ": " + String.join(", ", names.subList(0, Math.min(5, names.size()))), evidence);
    }

    private static Evaluation featureDrift(AlertRules.Rule r, MonitorSnapshot s) {
        if (s.inputDrift() == null || s.rows() < r.minRows()) {
            return noData(r, "needs at least " + r.minRows() + " logged rows and a training reference; has " + s.rows());
        }
        List<Map<String, Object>> drifted = s.inputDrift().features().stream().filter(FeatureDrift::drift)
                .map(AlertEvaluator::featureEvidence).toList();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("threshold", r.threshold());
        evidence.put("rows", s.rows());
        evidence.put("features", drifted);
        if (drifted.size() >= Math.max(1, r.threshold())) {
            return new Evaluation(r, Evaluation.Status.FIRING, drifted.size() + " feature(s) drifted: "
                    + String.join(", ", drifted.stream().map(m -> (String) m.get("name")).limit(5).toList()), evidence);
        }
        return new Evaluation(r, Evaluation.Status.OK, drifted.size() + " feature(s) drifted", evidence);
    }

    private static Evaluation predictionPsi(AlertRules.Rule r, MonitorSnapshot s) {
        FeatureDrift p = s.predictionDrift();
        if (p == null || p.psi() == null || s.rows() < r.minRows()) {
            return noData(r, "needs at least " + r.minRows() + " logged rows and a reference of the model's output; has "
                    + s.rows());
        }
        Map<String, Object> evidence = featureEvidence(p);
        evidence.put("threshold", r.threshold());
        evidence.put("rows", s.rows());
        if (p.psi() > r.threshold()) {
            return new Evaluation(r, Evaluation.Status.FIRING, "PSI of the model's output is " + fmt(p.psi()) + " (> "
                    + fmt(r.threshold()) + ")", evidence);
        }
        return new Evaluation(r, Evaluation.Status.OK, "PSI of the model's output is " + fmt(p.psi()), evidence);
    }

    private static Evaluation metricDrop(AlertRules.Rule r, MonitorSnapshot s) {
        String metric = r.metric() != null ? r.metric() : defaultMetric(s);
        if (metric == null) {
            return noData(r, "no metric to compare");
        }
        Double trained = s.trainingMetrics() == null ? null : s.trainingMetrics().get(metric);
        if (trained == null || trained.isNaN()) {
            return noData(r, "the model has no test " + metric + " to compare with");
        }
        if (s.performance() == null || s.performance().labelled() < r.minLabelled()) {
            return noData(r, "needs at least " + r.minLabelled() + " labelled rows; has "
                    + (s.performance() == null ? 0 : s.performance().labelled()));
        }
        Double now = s.performance().metrics().get(metric);
        if (now == null || now.isNaN()) {
            return noData(r, metric + " cannot be computed on the labelled rows (one class only?)");
        }
        boolean lowerIsBetter = LOWER_IS_BETTER.contains(metric);
        double drop = lowerIsBetter ? now - trained : trained - now;
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("metric", metric);
        evidence.put("trained", trained);
        evidence.put("current", now);
        evidence.put("drop", drop);
        evidence.put("threshold", r.threshold());
        evidence.put("labelled", s.performance().labelled());
        String text = metric + " " + fmt(now) + " on " + s.performance().labelled() + " labelled rows against "
                + fmt(trained) + " when trained";
        if (drop > r.threshold()) {
            return new Evaluation(r, Evaluation.Status.FIRING, text + ": worse by " + fmt(drop) + " (> " + fmt(r.threshold()) + ")",
                    evidence);
        }
        return new Evaluation(r, Evaluation.Status.OK, text, evidence);
    }

    private static String defaultMetric(MonitorSnapshot s) {
        if (s.trainingMetrics() == null) {
            return null;
        }
        for (String m : List.of("roc_auc", "accuracy", "rmse")) {
            if (s.trainingMetrics().containsKey(m)) {
                return m;
            }
        }
        return null;
    }

    private static Evaluation errorRate(AlertRules.Rule r, MonitorSnapshot s) {
        MonitorSnapshot.ServingStats st = s.serving();
        if (st == null || st.errors() < 0) {
            return noData(r, "failed requests are counted by the server only: evaluated inside kiln serve");
        }
        if (st.requests() < r.minRows()) {
            return noData(r, "needs at least " + r.minRows() + " requests; has " + st.requests());
        }
        double rate = (double) st.errors() / st.requests();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("requests", st.requests());
        evidence.put("errors", st.errors());
        evidence.put("rate", rate);
        evidence.put("threshold", r.threshold());
        String text = st.errors() + " of " + st.requests() + " requests failed (" + pct(rate) + ")";
        return new Evaluation(r, rate > r.threshold() ? Evaluation.Status.FIRING : Evaluation.Status.OK,
                rate > r.threshold() ? text + ", above " + pct(r.threshold()) : text, evidence);
    }

    private static Evaluation latency(AlertRules.Rule r, MonitorSnapshot s) {
        MonitorSnapshot.ServingStats st = s.serving();
        if (st == null || Double.isNaN(st.p99Millis()) || s.rows() < r.minRows()) {
            return noData(r, "needs at least " + r.minRows() + " logged predictions with their latency; has " + s.rows());
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("p99_ms", st.p99Millis());
        evidence.put("predictions", s.rows());
        evidence.put("threshold_ms", r.threshold());
        String text = "p99 latency " + fmt(st.p99Millis()) + " ms over " + s.rows() + " logged predictions";
        return new Evaluation(r, st.p99Millis() > r.threshold() ? Evaluation.Status.FIRING : Evaluation.Status.OK,
                st.p99Millis() > r.threshold() ? text + ", above " + fmt(r.threshold()) + " ms" : text, evidence);
    }

    private static Map<String, Object> featureEvidence(FeatureDrift f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("type", f.type());
        m.put("psi", f.psi());
        if (f.ksStatistic() != null) {
            m.put("ks_statistic", f.ksStatistic());
            m.put("ks_p_value", f.ksPValue());
        }
        if (f.unseenShare() != null) {
            m.put("unseen_share", f.unseenShare());
        }
        m.put("drift", f.drift());
        return m;
    }

    static Evaluation noData(AlertRules.Rule r, String why) {
        return new Evaluation(r, Evaluation.Status.NO_DATA, why, Map.of());
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3g", d);
    }

    private static String pct(double d) {
        return String.format(Locale.ROOT, "%.2f%%", d * 100);
    }
}
