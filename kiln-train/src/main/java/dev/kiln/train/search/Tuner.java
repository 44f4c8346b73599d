package dev.kiln.train.search;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.Trainer;
import dev.kiln.train.eval.Metrics;
import dev.kiln.train.validation.ValidationPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hyperparameter search by successive halving (Jamieson and Talwalkar 2016; scikit-learn's
 * {@code HalvingRandomSearchCV}, factor 3): sample configurations (seeded, the trainer's default first), score
 * every one on the smallest resource ({@link Rungs}), keep the best third for the next rung, and so on until the
 * survivors are scored on every fold. The default is always kept and always completed, even past the budget, so the
 * best is never worse than the default on the folds. No other trial starts once the budget is spent. A trial that
 * throws is recorded as failed and the search goes on.
 */
public final class Tuner {
    /**
     * The out-of-fold output of a training row no fold validated: one empty array shared by every such row (empty, it
     * cannot change).
     */
    public static final double[] NOT_VALIDATED = new double[0];

    private final TuneRequest request;
    private final Rungs rungs;
    private final long start;
    /** Per configuration, the fold fits done so far, by unit. */
    private final List<Map<Integer, FoldFit>> fits = new ArrayList<>();
    private final List<Trial> trials = new ArrayList<>();
    private int started;
    private boolean budgetSpent;

    private Tuner(TuneRequest request) {
        this.request = request;
        this.rungs = Rungs.of(request.plan(), request.seed());
        this.start = request.nanoTime().getAsLong();
    }

    /** The metric a search ranks on by default: roc_auc (binary), log_loss (multiclass), rmse (regression). */
    public static String defaultMetric(dev.kiln.runtime.Task task) {
        return switch (task) {
            case BINARY -> "roc_auc";
            case MULTICLASS -> "log_loss";
            case REGRESSION -> "rmse";
        };
    }

    public static TuneResult tune(TuneRequest request) {
        if (request.x().length != request.y().length) {
            throw new IllegalArgumentException(request.x().length + " rows but " + request.y().length + " targets");
        }
        if (!Metrics.names(request.task()).contains(request.metric())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "metric '" + request.metric() + "' is not one of "
                    + Metrics.names(request.task()) + " for a " + request.task().wireName() + " target",
                    Map.of("metric", String.valueOf(request.metric())));
        }
        return new Tuner(request).run();
    }

    private TuneResult run() {
        int candidates = request.candidates() > 0 ? request.candidates()
                : Math.max(9, (int) Math.pow(Rungs.FACTOR, rungs.count()));
        List<Map<String, Object>> configs = request.space().sample(request.algorithm(), request.task(), candidates,
                request.seed());
        int planned = 0;
        for (int n = configs.size(), r = configs.size() == 1 ? rungs.count() - 1 : 0; r < rungs.count();
             r++, n = Rungs.kept(n)) {
            planned += n;
        }
        configs.forEach(c -> fits.add(new HashMap<>()));
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            alive.add(i);
        }
        List<String> notes = new ArrayList<>();
        // A space with nothing to vary (baseline, or every dimension fixed) has only the default: score it once.
        int firstRung = configs.size() == 1 ? rungs.count() - 1 : 0;
        for (int rung = firstRung; rung < rungs.count(); rung++) {
            List<Trial> rungTrials = new ArrayList<>();
            for (int id : alive) {
                if (id != 0 && elapsed() >= request.budget().toNanos()) {
                    budgetSpent = true;
                    continue;
                }
                rungTrials.add(runTrial(id, configs.get(id), rung));
            }
            alive = rank(rungTrials, rung);
        }
        if (budgetSpent) {
            notes.add("budget of " + request.budget().toSeconds() + " s spent after " + started + " of " + planned
                    + " trials" + (elapsed() > request.budget().toNanos()
                    ? "; the default configuration was completed past it" : ""));
        }
        return result(configs, notes);
    }

    private long elapsed() {
        return request.nanoTime().getAsLong() - start;
    }

    private Trial runTrial(int id, Map<String, Object> config, int rung) {
        started++;
        long begin = elapsed();
        List<Double> scores = new ArrayList<>();
        List<Integer> rounds = new ArrayList<>();
        String resource = rungs.describe(rung, request.plan().folds().get(0).fit().length);
        try {
            Trainer trainer = request.trainers().of(request.algorithm(), config, request.threads());
            for (int unit : rungs.units().get(rung)) {
                FoldFit fit = fits.get(id).get(unit);
                if (fit == null) {
                    fit = fitUnit(trainer, unit, rung);
                    fits.get(id).put(unit, fit);
                }
                scores.add(fit.score());
                if (request.algorithm().equals("gbdt")) {
                    rounds.add(fit.bestRound());
                }
            }
        } catch (KilnException e) {
            // Bad data (a value XGBoost cannot hold, a target it cannot learn) fails every configuration alike: the
            // user needs that message, not "no configuration could be scored".
            if (e.code().category() == ErrorCode.Category.USER_INPUT) {
                throw e;
            }
            return new Trial(id, rung, config, resource, scores, Double.NaN, seconds(begin), rounds,
                    Trial.Status.FAILED, e.getMessage(), begin);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Trial(id, rung, config, resource, scores, Double.NaN, seconds(begin), rounds,
                    Trial.Status.FAILED, message, begin);
        }
        // A fold whose valid rows hold one class has no roc_auc (NaN): the mean is over the folds that have one.
        double mean = scores.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).average()
                .orElse(Double.NaN);
        return new Trial(id, rung, config, resource, scores, mean, seconds(begin), rounds, Trial.Status.COMPLETED, "",
                begin);
    }

    private FoldFit fitUnit(Trainer trainer, int unit, int rung) {
        ValidationPlan.Fold fold = request.plan().folds().get(rungs.crossValidated() ? unit : 0);
        int[] fit = rungs.crossValidated() ? fold.fit() : rungs.fitRows().get(rung);
        return FoldFit.run(trainer, request, fit, fold.valid(), request.seed());
    }

    private double seconds(long begin) {
        return (elapsed() - begin) / 1e9;
    }

    /** Ranks a rung's trials, records them, and returns the ids that go on (the default always does). */
    private List<Integer> rank(List<Trial> rungTrials, int rung) {
        boolean last = rung == rungs.count() - 1;
        List<Trial> scored = new ArrayList<>(rungTrials.stream()
                .filter(t -> t.status() != Trial.Status.FAILED).toList());
        scored.sort(better());
        int keep = Rungs.kept(rungTrials.size()) - 1;
        List<Integer> next = new ArrayList<>();
        Map<Integer, Trial> updated = new HashMap<>();
        int kept = 0;
        for (int position = 0; position < scored.size(); position++) {
            Trial t = scored.get(position);
            boolean goesOn = t.id() == 0 || kept < keep;
            if (t.id() != 0 && goesOn) {
                kept++;
            }
            if (last) {
                updated.put(t.id(), t);
            } else if (goesOn) {
                next.add(t.id());
                updated.put(t.id(), t.withStatus(Trial.Status.PROMOTED, "rank " + (position + 1) + " of "
                        + scored.size() + " on rung " + rung));
            } else {
                updated.put(t.id(), t.withStatus(Trial.Status.PRUNED, "rank " + (position + 1) + " of "
                        + scored.size() + " on rung " + rung + "; the best " + keep + " went on"));
                fits.get(t.id()).clear();
            }
        }
        for (Trial t : rungTrials) {
            Trial recorded = updated.getOrDefault(t.id(), t);
            trials.add(recorded);
            request.listener().onTrial(recorded);
        }
        next.sort(Integer::compareTo);
        return next;
    }

    /** Better first; a trial without a score (NaN) after every scored one; ties to the lower id. */
    private Comparator<Trial> better() {
        Comparator<Trial> byScore = Comparator.comparingDouble(Trial::meanScore);
        if (!Metrics.lowerIsBetter(request.metric())) {
            byScore = byScore.reversed();
        }
        return Comparator.comparing((Trial t) -> Double.isNaN(t.meanScore())).thenComparing(byScore)
                .thenComparingInt(Trial::id);
    }

    private TuneResult result(List<Map<String, Object>> configs, List<String> notes) {
        int lastRung = rungs.count() - 1;
        Trial best = trials.stream()
                .filter(t -> t.rung() == lastRung && t.status() == Trial.Status.COMPLETED)
                .min(better()).orElse(null);
        if (best == null) {
            String why = trials.stream().filter(t -> t.id() == 0).map(Trial::reason).findFirst().orElse("");
            throw new KilnException(ErrorCode.TRAINING_FAILED, request.algorithm() + ": no configuration could be "
                    + "scored on every fold; the default failed: " + why, Map.of("algorithm", request.algorithm()));
        }
        int n = request.x().length;
        double[][] oof = new double[n][];
        Arrays.fill(oof, NOT_VALIDATED); // one shared empty array: at 1M rows, n of their own are 16 MB
        boolean[] covered = new boolean[n];
        double fitRows = 0;
        int folds = 0;
        for (int unit : rungs.units().get(lastRung)) {
            ValidationPlan.Fold fold = request.plan().folds().get(rungs.crossValidated() ? unit : 0);
            FoldFit fit = fits.get(best.id()).get(unit);
            for (int i = 0; i < fold.valid().length; i++) {
                oof[fold.valid()[i]] = fit.outputs()[i];
                covered[fold.valid()[i]] = true;
            }
            fitRows += rungs.crossValidated() ? fold.fit().length : rungs.fitRows().get(lastRung).length;
            folds++;
        }
        int refitRounds = 0;
        if (request.algorithm().equals("gbdt") && !best.bestRounds().isEmpty()) {
            double meanRound = best.bestRounds().stream().mapToInt(Integer::intValue).average().orElse(1);
            refitRounds = Math.max(1, (int) Math.round(meanRound * n / (fitRows / folds)));
        }
        notes.add(0, request.algorithm() + ": best of " + configs.size() + " configurations is #" + best.id()
                + (best.id() == 0 ? " (the default)" : "") + ", mean " + request.metric() + " "
                + String.format(java.util.Locale.ROOT, "%.5f", best.meanScore()) + " over " + best.resource());
        return new TuneResult(request.algorithm(), request.metric(), configs.get(best.id()), best.id(),
                best.meanScore(), trials, oof, covered, refitRounds, notes);
    }
}
