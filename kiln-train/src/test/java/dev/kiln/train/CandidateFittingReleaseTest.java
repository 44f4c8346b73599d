package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.train.search.TrialListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link CandidateFitting#fitAll} lets go once the candidates are fitted: an encoding's test rows once no later
 * candidate reads them (each candidate keeps its outputs for them, the very ones its model gives), and the last refit's
 * training rows (its released form, the rows importance explains, taken before).
 */
class CandidateFittingReleaseTest {
    @TempDir
    Path dir;

    private Path data(int rows) throws Exception {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            sb.append(a).append(',').append(b).append(',').append(c).append(',')
                    .append(a - 0.5 * b + 0.3 * r.nextGaussian() > 0 ? "yes" : "no").append('\n');
        }
        return Files.writeString(dir.resolve("d.csv"), sb.toString());
    }

    private record Run(List<Fitted> fitted, DataFrame frame, TrainingRows rows) {
    }

    private Run fit(List<String> requested) throws Exception {
        TrainOptions options = TrainOptions.defaults(data(3_000), "y", dir.resolve("m")).withAlgorithms(requested)
                .withTuning(new Tuning(null, null, null, null, 1));
        List<String> algorithms = new ArrayList<>(List.of("baseline"));
        algorithms.addAll(requested);
        Steps steps = new Steps(ProgressListener.NONE, algorithms.size() + 4);
        PhaseClock clock = PhaseClock.system();
        Prepared p = Prepared.of(options, null, options.constraints(), steps, clock);
        DataFrame frame = p.rows().frame(); // held here: the fitting lets it go
        List<Fitted> fitted = CandidateFitting.fitAll(new CandidateFitting.Request(algorithms, p.features(), p.rows(),
                p.target().task(), p.target().classes().size(), options, options.constraints(), p.plan(),
                ValidationPlans.space(options), ValidationPlans.budget(options, p.rows().y().length, p.features().size()),
                Training.selectionMetric(p.target().task()), null, steps, TrialListener.NONE, new ArrayList<>(), clock));
        return new Run(fitted, frame, p.rows());
    }

    @Test
    void testRowsAreLetGoOnceFittedAndEachCandidateKeepsItsOwnOutputsForThem() throws Exception {
        Run run = fit(List.of("linear", "gbdt"));
        assertThat(run.fitted()).extracting(Fitted::algorithm).containsExactly("baseline", "linear", "gbdt");
        for (Fitted f : run.fitted()) {
            assertThat(f.enc().testX()).as(f.algorithm() + ": test rows let go").isNull();
            double[][] test = FeaturePipelineFitter.encode(f.enc().fit().pipeline(), run.frame(), run.rows().testIndex());
            double[][] expected = new double[test.length][f.model().estimator().outputs()];
            f.model().estimator().predictBatch(test, expected);
            assertThat(f.rawTest()).as(f.algorithm() + ": outputs for the test rows").isDeepEqualTo(expected);
            assertThat((Object[]) f.enc().x()).as(f.algorithm() + ": the rows importance explains, taken before the refit")
                    .isNotEmpty().doesNotContainNull();
        }
        assertThat(run.fitted().get(0).enc()).as("baseline and gbdt share the plain encoding's released form")
                .isSameAs(run.fitted().get(2).enc());
    }

    @Test
    void aRefitThatLetsItsRowsGoLeavesTheRowsImportanceExplains() throws Exception {
        Run run = fit(List.of("gbdt")); // one run of the plain encoding: baseline, then gbdt's refit lets the rows go
        Fitted gbdt = run.fitted().get(1);
        assertThat((Object[]) gbdt.enc().x()).isNotEmpty().doesNotContainNull();
        assertThat(gbdt.enc()).isSameAs(run.fitted().get(0).enc());
    }

    @Test
    void theEnsembleKeepsTheTestRowsItReads() throws Exception {
        Run run = fit(List.of("linear", "gbdt", "ensemble"));
        for (Fitted f : run.fitted()) {
            assertThat((Object[]) f.enc().testX()).as(f.algorithm()).isNotNull().hasSize(run.rows().testCount());
        }
    }
}
