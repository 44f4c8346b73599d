package dev.kiln.train.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.train.validation.ValidationPlan;
import dev.kiln.train.validation.ValidationRequest;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class TunerTest {
    private static final Synthetic DATA = new Synthetic(300, 5, 7);

    /** A clock that moves one second each time it is read: the search's time is the number of readings. */
    private static LongSupplier ticking() {
        long[] now = {0};
        return () -> now[0] += 1_000_000_000L;
    }

    private static ValidationPlan kfold(Synthetic data) {
        return ValidationPlan.of(new ValidationRequest(data.y.length, data.classIds(), null, null, 3, 0.2, 20_000, 3));
    }

    private static TuneRequest request(String algorithm, Synthetic data, ValidationPlan plan, Duration budget,
                                       long seed, LongSupplier clock, TrialListener listener, int candidates,
                                       TuneRequest.TrainerFactory trainers) {
        return new TuneRequest(algorithm, SearchSpace.defaults(), data.x, data.y, Task.BINARY, 2, data.names, plan,
                "roc_auc", budget, seed, clock, listener, 1, candidates, trainers);
    }

    private static TuneRequest tree(Duration budget, long seed, LongSupplier clock) {
        return request("tree", DATA, kfold(DATA), budget, seed, clock, TrialListener.NONE, 0, ConfiguredTrainers::of);
    }

    @Test
    void noTrialStartsAfterTheBudgetButTheDefaultCompletes() {
        Duration budget = Duration.ofSeconds(20);
        TuneResult result = Tuner.tune(tree(budget, 1, ticking()));
        assertThat(result.trials()).allSatisfy(t -> {
            if (t.id() != 0) {
                assertThat(t.startNanos()).isLessThan(budget.toNanos());
            }
        });
        assertThat(result.trials()).anySatisfy(t -> {
            assertThat(t.id()).isZero();
            assertThat(t.status()).isEqualTo(Trial.Status.COMPLETED);
            assertThat(t.foldScores()).hasSize(3);
        });
        assertThat(result.trials()).anySatisfy(t -> assertThat(t.startNanos()).isGreaterThan(budget.toNanos()));
        assertThat(result.notes()).anySatisfy(n -> assertThat(n).contains("budget of 20 s spent after")
                .contains("the default configuration was completed past it"));
    }

    @Test
    void aSpentBudgetStillGivesTheDefault() {
        TuneResult result = Tuner.tune(tree(Duration.ZERO, 1, ticking()));
        assertThat(result.bestTrialId()).isZero();
        assertThat(result.bestConfig()).isEqualTo(Map.of("max_depth", 8, "min_samples_leaf", 5));
        assertThat(result.trials()).extracting(Trial::id).containsOnly(0);
        assertThat(result.covered()).containsOnly(true);
    }

    @Test
    void aSpaceWithNothingToVaryIsScoredOnceOnEveryFold() {
        TuneResult result = Tuner.tune(request("baseline", DATA, kfold(DATA), Duration.ofHours(1), 1, ticking(),
                TrialListener.NONE, 0, ConfiguredTrainers::of));
        assertThat(result.trials()).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(Trial.Status.COMPLETED);
            assertThat(t.foldScores()).hasSize(3);
        });
        assertThat(result.bestScore()).isEqualTo(0.5);
    }

    @Test
    void aFoldWithOneClassIsLeftOutOfTheMean() {
        // Time-ordered rows whose last block is all positive: that fold has no roc_auc.
        Synthetic data = new Synthetic(120, 3, 9);
        double[] times = new double[120];
        for (int i = 0; i < 120; i++) {
            times[i] = i;
            if (i >= 100) {
                data.y[i] = 1;
            }
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(120, null, null, times, 5, 0.2, 20_000, 1));
        TuneResult result = Tuner.tune(request("tree", data, plan, Duration.ofHours(1), 1, ticking(),
                TrialListener.NONE, 0, ConfiguredTrainers::of));
        Trial best = result.trials().stream().filter(t -> t.id() == result.bestTrialId()
                && t.status() == Trial.Status.COMPLETED).findFirst().orElseThrow();
        assertThat(best.foldScores().get(4)).isNaN();
        assertThat(result.bestScore()).isEqualTo(best.foldScores().subList(0, 4).stream()
                .mapToDouble(Double::doubleValue).average().orElseThrow());
    }

    @Test
    void regressionRanksByRmseLowestFirst() {
        double[] y = new double[DATA.y.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = 3 * DATA.x[i][0] + DATA.x[i][1] * DATA.x[i][1];
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(y.length, null, null, null, 3, 0.2, 20_000, 1));
        TuneResult result = Tuner.tune(new TuneRequest("tree", SearchSpace.defaults(), DATA.x, y, Task.REGRESSION, 0,
                DATA.names, plan, Tuner.defaultMetric(Task.REGRESSION), Duration.ofHours(1), 1, ticking(),
                TrialListener.NONE, 1, 0, ConfiguredTrainers::of));
        assertThat(result.metric()).isEqualTo("rmse");
        assertThat(result.trials().stream().filter(t -> t.status() == Trial.Status.COMPLETED))
                .allSatisfy(t -> assertThat(t.meanScore()).isGreaterThanOrEqualTo(result.bestScore()));
    }

    @Test
    void multiclassOutOfFoldOutputsHoldOneProbabilityPerClass() {
        double[] y = new double[DATA.y.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = DATA.x[i][0] < -0.3 ? 0 : DATA.x[i][0] < 0.3 ? 1 : 2;
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(y.length, Synthetic.ints(y), null, null, 3, 0.2,
                20_000, 1));
        TuneResult result = Tuner.tune(new TuneRequest("linear", SearchSpace.defaults(), DATA.x, y, Task.MULTICLASS, 3,
                DATA.names, plan, Tuner.defaultMetric(Task.MULTICLASS), Duration.ofHours(1), 1, ticking(),
                TrialListener.NONE, 1, 0, ConfiguredTrainers::of));
        assertThat(result.metric()).isEqualTo("log_loss");
        assertThat(java.util.Arrays.asList(result.oofOutputs())).allSatisfy(o -> assertThat(o).hasSize(3));
    }

    @Test
    void theSameSeedGivesTheSameTrialsAndBest() {
        TuneResult a = Tuner.tune(tree(Duration.ofHours(1), 5, ticking()));
        TuneResult b = Tuner.tune(tree(Duration.ofHours(1), 5, ticking()));
        assertThat(a.trials()).hasSameSizeAs(b.trials());
        for (int i = 0; i < a.trials().size(); i++) {
            assertThat(a.trials().get(i).config()).isEqualTo(b.trials().get(i).config());
            assertThat(a.trials().get(i).foldScores()).isEqualTo(b.trials().get(i).foldScores());
            assertThat(a.trials().get(i).status()).isEqualTo(b.trials().get(i).status());
        }
        assertThat(a.bestConfig()).isEqualTo(b.bestConfig());
        TuneResult other = Tuner.tune(tree(Duration.ofHours(1), 6, ticking()));
        assertThat(other.trials().get(1).config()).isNotEqualTo(a.trials().get(1).config());
    }

    @Test
    void successiveHalvingKeepsTheBestThirdAndTheBestIsNeverWorseThanTheDefault() {
        List<Trial> heard = new ArrayList<>();
        TuneResult result = Tuner.tune(request("tree", DATA, kfold(DATA), Duration.ofHours(1), 3, ticking(),
                heard::add, 0, ConfiguredTrainers::of));
        // 3 folds: rungs of 1 and 3 folds, 9 candidates; the default and the best 3 of the other 8 go on.
        assertThat(result.trials().stream().filter(t -> t.rung() == 0)).hasSize(9);
        assertThat(result.trials().stream().filter(t -> t.rung() == 1)).hasSize(4)
                .allSatisfy(t -> assertThat(t.resource()).isEqualTo("3 of 3 folds"));
        assertThat(result.trials().stream().filter(t -> t.status() == Trial.Status.PRUNED)).hasSize(5);
        assertThat(heard).isEqualTo(result.trials());
        double defaultScore = result.trials().stream().filter(t -> t.id() == 0 && t.rung() == 1).findFirst()
                .orElseThrow().meanScore();
        assertThat(result.bestScore()).isGreaterThanOrEqualTo(defaultScore);
        assertThat(result.trials().stream().filter(t -> t.rung() == 1)).allSatisfy(
                t -> assertThat(t.meanScore()).isLessThanOrEqualTo(result.bestScore()));
        assertThat(result.covered()).containsOnly(true);
        assertThat(java.util.Arrays.asList(result.oofOutputs())).allSatisfy(o -> assertThat(o).hasSize(1));
    }

    @Test
    void theOutOfFoldOutputsAreTheFoldModelsPredictions() {
        ValidationPlan plan = kfold(DATA);
        TuneResult result = Tuner.tune(request("linear", DATA, plan, Duration.ZERO, 1, ticking(),
                TrialListener.NONE, 0, ConfiguredTrainers::of));
        ValidationPlan.Fold fold = plan.folds().get(1);
        var model = ConfiguredTrainers.of("linear", result.bestConfig(), 1).fit(new dev.kiln.train.TrainingData(
                Task.BINARY, 2, DATA.names, FoldFit.rows(DATA.x, fold.fit()), FoldFit.values(DATA.y, fold.fit()),
                null, null), 1);
        double[] out = new double[1];
        model.estimator().predict(DATA.x[fold.valid()[0]], out);
        assertThat(result.oofOutputs()[fold.valid()[0]]).containsExactly(out[0]);
    }

    @Test
    void aFailingTrialIsRecordedAndTheSearchGoesOn() {
        TuneRequest.TrainerFactory failing = (algorithm, config, threads) -> {
            if ((Integer) config.get("max_depth") < 8) {
                throw new IllegalStateException("depth " + config.get("max_depth") + " refused");
            }
            return ConfiguredTrainers.of(algorithm, config, threads);
        };
        TuneResult result = Tuner.tune(request("tree", DATA, kfold(DATA), Duration.ofHours(1), 3, ticking(),
                TrialListener.NONE, 0, failing));
        assertThat(result.trials()).anySatisfy(t -> {
            assertThat(t.status()).isEqualTo(Trial.Status.FAILED);
            assertThat(t.reason()).endsWith("refused");
            assertThat(t.meanScore()).isNaN();
        });
        assertThat(result.trials()).anySatisfy(t -> assertThat(t.status()).isEqualTo(Trial.Status.COMPLETED));
        assertThat((Integer) result.bestConfig().get("max_depth")).isGreaterThanOrEqualTo(8);
    }

    @Test
    void gbdtRecordsBestRoundsAndScalesThemForTheRefit() {
        Synthetic data = new Synthetic(200, 4, 11);
        TuneResult result = Tuner.tune(request("gbdt", data, kfold(data), Duration.ofHours(1), 2, ticking(),
                TrialListener.NONE, 4, ConfiguredTrainers::of));
        Trial best = result.trials().stream().filter(t -> t.id() == result.bestTrialId()
                && t.status() == Trial.Status.COMPLETED).findFirst().orElseThrow();
        assertThat(best.bestRounds()).hasSize(3).allSatisfy(r -> assertThat(r).isPositive());
        double mean = best.bestRounds().stream().mapToInt(Integer::intValue).average().orElseThrow();
        // Each fold fits on 2/3 of the rows: the refit boosts 3/2 as many rounds.
        assertThat(result.refitRounds()).isEqualTo((int) Math.round(mean * 200 / (200 * 2 / 3.0)));
        GbdtTrainer refit = (GbdtTrainer) result.refitTrainer(1);
        assertThat(refit.maxRounds()).isEqualTo(result.refitRounds());
        assertThat(refit.earlyStoppingRounds()).isZero();
    }

    @Test
    void holdoutUsesSubsamplesOfTheFitRowsAsTheResource() {
        Synthetic data = new Synthetic(2000, 3, 5);
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(2000, data.classIds(), null, null, 5, 0.2, 1000,
                1));
        TuneResult result = Tuner.tune(request("linear", data, plan, Duration.ofHours(1), 1, ticking(),
                TrialListener.NONE, 0, ConfiguredTrainers::of));
        assertThat(result.trials()).extracting(Trial::resource).contains("533 of 1600 fit rows", "all 1600 fit rows");
        long covered = 0;
        for (boolean c : result.covered()) {
            covered += c ? 1 : 0;
        }
        assertThat(covered).isEqualTo(400);
        for (int i = 0; i < result.covered().length; i++) {
            if (!result.covered()[i]) {
                assertThat(result.oofOutputs()[i]).as("rows no fold validated share one empty output")
                        .isSameAs(Tuner.NOT_VALIDATED);
            }
        }
    }

    @Test
    void forwardChainingLeavesTheEarliestRowsUncovered() {
        double[] times = new double[DATA.y.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = i;
        }
        ValidationPlan plan = ValidationPlan.of(ValidationRequest.of(times.length, null, null, times, 1));
        TuneResult result = Tuner.tune(request("tree", DATA, plan, Duration.ZERO, 1, ticking(), TrialListener.NONE,
                0, ConfiguredTrainers::of));
        assertThat(result.covered()[0]).isFalse();
        assertThat(result.oofOutputs()[0]).isEmpty();
        assertThat(result.covered()[times.length - 1]).isTrue();
    }
}
