package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.constraints.Interpretability;
import dev.kiln.train.constraints.Monotone;
import dev.kiln.train.search.ConfiguredTrainers;
import dev.kiln.train.search.SearchBudget;
import dev.kiln.train.search.SearchSpace;
import dev.kiln.train.search.TrialListener;
import dev.kiln.train.search.TuneRequest;
import dev.kiln.train.search.TuneResult;
import dev.kiln.train.search.Tuner;
import dev.kiln.train.validation.ValidationPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits every requested algorithm as a candidate: its feature encoding (one pipeline for the algorithms that need scaled
 * inputs, one for the others, fitted on every training row: the pipeline learns no target, so fitting it once does not
 * leak), a search of its hyperparameters validated by the plan, and a refit of the chosen configuration on every training
 * row. A warm start instead continues the parent's GBDT on the plan's one holdout fold, as before search existed.
 */
final class CandidateFitting {
    private CandidateFitting() {
    }

    /** What fitting needs; {@code parent} is null unless warm starting. */
    record Request(List<String> algorithms, List<String> features, TrainingRows rows, Task task, int classes,
                   TrainOptions options, Constraints constraints, ValidationPlan plan, SearchSpace space,
                   SearchBudget budget, String metric, WarmStartParent parent, Steps steps, TrialListener trials,
                   List<String> notes, PhaseClock clock) {
    }

    static List<Fitted> fitAll(Request r) {
        // An encoding's training rows are kept only while its candidates are fitted one after another: between them
        // (plain for the baseline, scaled for linear, plain again for gbdt) two encodings of every training row would
        // be held at once. The rows are released after a run of fits and encoded again, the same bit for bit, for
        // the next candidate that reads them; every candidate of an encoding shares its released form, as before.
        Map<Variant.Encoding, Encoded> released = new EnumMap<>(Variant.Encoding.class);
        boolean categorical = r.parent() == null && r.features().stream()
                .anyMatch(c -> r.rows().frame().column(c).type() == dev.kiln.runtime.schema.ColumnType.CATEGORICAL);
        List<Variant> variants = Variant.of(r.algorithms(), categorical, r.task(), r.rows().y(), r.classes(), r.notes());
        List<Fitted> fitted = new ArrayList<>();
        r.clock().lap(TrainingReport.Timings.TARGET_AND_SPLITS);
        // An ensemble of members on different pipelines (category codes) encodes the training rows of its merged
        // pipeline after the fits; otherwise nothing reads the frame once the last run of candidates has its rows.
        boolean frameAfterFits = r.algorithms().contains(EnsembleCandidate.NAME)
                && variants.stream().anyMatch(v -> v.encoding() == Variant.Encoding.CODES);
        Encoded enc = null;
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            r.steps().next((r.parent() == null && !v.base().equals("baseline") ? "searching " : "training ") + v.name());
            if (enc == null) {
                Encoded kept = released.get(v.encoding());
                enc = kept == null ? encode(r, v.encoding()) : reencoded(r, kept);
                if (!frameAfterFits && variants.subList(i, variants.size()).stream()
                        .allMatch(o -> o.encoding() == v.encoding())) {
                    r.rows().releaseFrame();
                }
            }
            r.clock().lap(TrainingReport.Timings.ENCODE);
            if (enc.fit().pipeline().width() == 0 && !v.base().equals("baseline")) {
                throw new KilnException(ErrorCode.DATA_MALFORMED, "no usable feature columns: "
                        + String.join("; ", enc.fit().notes()));
            }
            boolean lastOfRun = i + 1 == variants.size() || variants.get(i + 1).encoding() != v.encoding();
            if (lastOfRun && r.parent() == null) {
                // The released form is taken before the run's last fit, whose refit may then let go of the rows.
                keepReleased(enc, v.encoding(), released);
            }
            fitted.add(r.parent() != null ? continued(r, v.base(), enc)
                    : searched(r, v, enc, variants, lastOfRun));
            r.clock().lapFit(v.name());
            if (lastOfRun) {
                // The run of this encoding's candidates is fitted: its training rows are needed no more, but for
                // importance (and again, encoded anew, if a later candidate reads this encoding); its test rows
                // only if a later candidate or the ensemble reads them (each candidate has its outputs for them).
                boolean testRowsLater = r.algorithms().contains(EnsembleCandidate.NAME) || variants
                        .subList(i + 1, variants.size()).stream().anyMatch(o -> o.encoding() == v.encoding());
                release(enc, v.encoding(), released, fitted, testRowsLater);
                enc = null;
            }
        }
        return fitted;
    }

    /**
     * Puts the released form of {@code full} (its first release's, so every candidate of an encoding shares one; without
     * its test rows unless {@code testRowsLater}) in place of {@code full} and of the earlier form in the fitted
     * candidates. A method of its own so that no local of the fitting loop keeps the full rows reachable.
     */
    private static void release(Encoded full, Variant.Encoding encoding, Map<Variant.Encoding, Encoded> released,
                                List<Fitted> fitted, boolean testRowsLater) {
        Encoded first = keepReleased(full, encoding, released);
        Encoded kept = testRowsLater ? first : first.withoutTestRows();
        released.put(encoding, kept);
        fitted.replaceAll(f -> f.enc() == full || f.enc() == first ? f.withEncoding(kept) : f);
    }

    /** The encoding's released form: its first release's, taken of {@code full} when there is none yet. */
    private static Encoded keepReleased(Encoded full, Variant.Encoding encoding, Map<Variant.Encoding, Encoded> released) {
        return released.computeIfAbsent(encoding, e -> full.fitted());
    }

    /** A released encoding's training rows encoded again through its fitted pipeline; its test rows as they are. */
    private static Encoded reencoded(Request r, Encoded released) {
        return new Encoded(released.fit(), FeaturePipelineFitter.encode(released.fit().pipeline(), r.rows().frame(),
                r.rows().trainingIndex()), released.testX());
    }

    private static Encoded encode(Request r, Variant.Encoding encoding) {
        FeaturePipelineFitter.Options options = FeaturePipelineFitter.Options.defaults(encoding == Variant.Encoding.SCALED);
        if (encoding == Variant.Encoding.CODES) {
            options = options.withCategoricalCodes();
        }
        FeaturePipelineFitter.Result result = r.parent() != null ? r.parent().pipeline()
                : FeaturePipelineFitter.fit(r.rows().frame(), r.rows().trainingIndex(), r.features(), options);
        return new Encoded(result, FeaturePipelineFitter.encode(result.pipeline(), r.rows().frame(), r.rows().trainingIndex()),
                FeaturePipelineFitter.encode(result.pipeline(), r.rows().frame(), r.rows().testIndex()));
    }

    /**
     * A variant's share of the search budget: its algorithm's, shared with the other variants of the same algorithm at
     * one and a half times an even split (two variants: three quarters each; three: half each). The budget is a target:
     * each variant's default configuration completes whatever the clock says.
     */
    private static java.time.Duration budget(Request r, Variant v, List<Variant> variants) {
        long same = variants.stream().filter(o -> o.base().equals(v.base())).count();
        return variantBudget(r.budget().forAlgorithm(v.base(), r.algorithms()), same);
    }

    static java.time.Duration variantBudget(java.time.Duration share, long variants) {
        return variants <= 1 ? share : share.multipliedBy(3).dividedBy(2 * variants);
    }

    /**
     * Searches the variant's space on the plan's folds, then refits the best configuration on every training row. The
     * refit of the last candidate of an encoding's run ({@code lastOfRun}: its released form already taken) is the
     * last reader of the encoded rows, so its trainer may let go of them once it holds a copy of its own
     * ({@link TrainingData#rowsReleasable}: XGBoost's matrix).
     */
    private static Fitted searched(Request r, Variant v, Encoded enc, List<Variant> variants, boolean lastOfRun) {
        long start = System.nanoTime();
        String algorithm = v.base();
        var pipeline = enc.fit().pipeline();
        Map<String, Integer> monotone = r.constraints().monotone();
        boolean[] categorical = FeaturePipelineFitter.categoricalFeatures(pipeline);
        TuneRequest.TrainerFactory factory = (a, config, threads) -> new PreparedTrainer(
                Monotone.honouring(ConfiguredTrainers.of(a, config, threads), monotone, pipeline), categorical, v.balanced());
        TuneRequest request = new TuneRequest(algorithm, r.space(), enc.x(), r.rows().y(), r.task(), r.classes(),
                pipeline.featureNames(), r.plan(), r.metric(), budget(r, v, variants), r.options().seed(), System::nanoTime,
                trial -> {
                    r.steps().within("searching " + v.name() + ": trial " + (trial.id() + 1));
                    r.trials().onTrial(trial);
                }, 0, r.options().tuning().configurations() == null ? 0 : r.options().tuning().configurations(), factory);
        TuneResult tune;
        try {
            tune = Tuner.tune(request);
        } catch (KilnException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failed(v.name(), e);
        }
        Map<String, Object> config = tune.refitConfig();
        if (r.constraints().interpretable() && algorithm.equals("gbdt")
                && config.get("max_rounds") instanceof Number n && n.intValue() > Interpretability.MAX_GBDT_ROUNDS) {
            config = new LinkedHashMap<>(config);
            config.put("max_rounds", Interpretability.MAX_GBDT_ROUNDS);
        }
        TrainingData all = new TrainingData(r.task(), r.classes(), pipeline.featureNames(), enc.x(), r.rows().y(), null, null);
        if (lastOfRun) {
            all = all.withRowsReleasable();
        }
        TrainedModel model = fit(factory.of(algorithm, config, 0), v.name(), all, r.options().seed());
        return new Fitted(v.name(), model, enc, (System.nanoTime() - start) / 1e9, tune.oofOutputs(), tune.covered(), tune,
                tune.notes());
    }

    /**
     * A warm start: gbdt continues the parent (early stopping on the plan's holdout rows), the baseline is fitted as is,
     * both on the holdout fold's fit rows and not refitted: continuing on the fit rows is what was validated.
     */
    private static Fitted continued(Request r, String algorithm, Encoded enc) {
        long start = System.nanoTime();
        ValidationPlan.Fold fold = r.plan().folds().get(0);
        double[][] x = enc.x();
        double[] y = r.rows().y();
        TrainingData data = new TrainingData(r.task(), r.classes(), enc.fit().pipeline().featureNames(),
                Splits.selectRows(x, fold.fit()), Splits.select(y, fold.fit()), Splits.selectRows(x, fold.valid()),
                Splits.select(y, fold.valid()));
        Trainer trainer = algorithm.equals(WarmStart.ALGORITHM) ? r.parent().trainer() : Trainers.byName(algorithm);
        TrainedModel model = fit(trainer, algorithm, data, r.options().seed());
        double[][] oof = new double[x.length][];
        Arrays.fill(oof, Tuner.NOT_VALIDATED);
        boolean[] covered = new boolean[x.length];
        for (int i : fold.valid()) {
            oof[i] = new double[model.estimator().outputs()];
            model.estimator().predict(x[i], oof[i]);
            covered[i] = true;
        }
        return new Fitted(algorithm, model, enc, (System.nanoTime() - start) / 1e9, oof, covered, null,
                List.of("warm start: fitted on " + fold.fit().length + " rows, stopped early on " + fold.valid().length
                        + "; not refitted"));
    }

    private static TrainedModel fit(Trainer trainer, String algorithm, TrainingData data, long seed) {
        try {
            return trainer.fit(data, seed);
        } catch (KilnException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failed(algorithm, e);
        }
    }

    private static KilnException failed(String algorithm, RuntimeException e) {
        return new KilnException(ErrorCode.TRAINING_FAILED, algorithm + " failed to train: " + e.getMessage(),
                Map.of("algorithm", algorithm), e);
    }
}
