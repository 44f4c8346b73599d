package dev.kiln.app.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.CostMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two bundles scored on the candidate's own test rows, reproduced from what its training recorded. */
public class HeadToHeadTest {
    @TempDir
    Path dir;

    private Path creditG() throws IOException {
        Path file = dir.resolve("credit-g.csv");
        try (InputStream in = HeadToHeadTest.class.getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            Files.copy(in, file);
        }
        return file;
    }

    private Path train(Path data, String algorithm, String out, long seed) {
        TrainOptions o = new TrainOptions(data, "class", null, null, null, 0.2, 0.2, seed, List.of(algorithm), List.of(),
                "bad", new CostMatrix(1, 5), dir.resolve(out), false);
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        return Path.of(r.bundle());
    }

    @Test
    void onTheSameDataAndSplitBothModelsGetTheirOwnTestMetricsBack() throws IOException {
        Path data = creditG();
        Path candidate = train(data, "linear", "c", 42);
        Path holder = train(data, "gbdt", "h", 42);
        KilnModel c = KilnModel.load(candidate);
        KilnModel h = KilnModel.load(holder);

        HeadToHead.Result r = HeadToHead.compare(candidate, holder, DataReader.read(data), HeadToHead.SplitSpec.fromLineage(c.manifest()));

        assertThat(r.rows()).isEqualTo(200);
        assertThat(r.datasetSha256()).isEqualTo(c.manifest().lineage().datasetSha256());
        // The threshold-free metrics are training's own figures, exactly: the same rows, the same functions.
        for (String m : List.of("roc_auc", "pr_auc", "log_loss", "brier")) {
            assertThat(r.candidate().get(m)).as(m).isEqualTo(c.manifest().testMetrics().get(m));
            assertThat(r.holder().get(m)).as(m).isEqualTo(h.manifest().testMetrics().get(m));
        }
        // The cost at each model's own decision threshold, as training recorded it.
        assertThat(r.candidate().get(BusinessCost.COST_PER_1000)).isEqualTo(c.manifest().testMetrics().get(BusinessCost.COST_PER_1000));
        assertThat(r.holder().get(BusinessCost.COST_PER_1000)).isEqualTo(h.manifest().testMetrics().get(BusinessCost.COST_PER_1000));
    }

    /** A model whose bundle applies a calibration is measured on the probabilities it serves, the calibrated ones. */
    @Test
    void aModelWhoseCalibrationIsAppliedIsScoredOnItsCalibratedProbabilities() throws IOException {
        Path data = creditG();
        Path candidate = train(data, "linear", "c", 42);
        KilnModel c = KilnModel.load(candidate);
        // The same model, its probabilities flattened to a constant 0.9 by an applied Platt map (a = 0).
        dev.kiln.runtime.bundle.Bundle b = c.bundle();
        dev.kiln.runtime.bundle.Calibration flat = new dev.kiln.runtime.bundle.Calibration(
                dev.kiln.runtime.bundle.Calibration.PLATT, "held-out rows", 200, List.of(
                dev.kiln.runtime.bundle.Calibration.ClassMap.platt("bad", 0, Math.log(0.9 / 0.1), 60, 140)), List.of(), true);
        Path holder = dev.kiln.train.BundleWriter.write(dir.resolve("flat"), b.manifest(), b.pipeline(), b.estimator(),
                b.referenceProfile(), b.referenceSketch(), flat, false);
        assertThat(KilnModel.load(holder).calibrated()).isTrue();

        HeadToHead.Result r = HeadToHead.compare(candidate, holder, DataReader.read(data), HeadToHead.SplitSpec.fromLineage(c.manifest()));

        assertThat(r.candidate().get("roc_auc")).isEqualTo(c.manifest().testMetrics().get("roc_auc"));
        assertThat(r.holder().get("roc_auc")).as("every row given 0.9").isEqualTo(0.5);
    }

    @Test
    void theSamePairOnTheSameDataIsComparedOnceAndTheRegistryPathTakesThatAnswer() throws IOException {
        Path data = creditG();
        Path candidate = train(data, "linear", "c2", 7);
        Path holder = train(data, "tree", "h2", 7);
        HeadToHead.SplitSpec spec = HeadToHead.SplitSpec.fromLineage(KilnModel.load(candidate).manifest());
        HeadToHead.Result first = HeadToHead.compare(candidate, holder, DataReader.read(data), spec);
        assertThat(HeadToHead.compare(candidate, holder, DataReader.read(data), spec)).isSameAs(first);
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(dir.resolve("home"), null)) {
            var h = store.registry().register("credit", holder, null, "test", "holder");
            var c = store.registry().register("credit", candidate, null, "test", "candidate");
            // The data is not read again: the pair, the data's SHA-256 and the split decide the answer.
            HeadToHead.Result viaRegistry = HeadToHead.compare(store.registry(), c, h, (path, sha) -> {
                throw new AssertionError("read the data again");
            });
            assertThat(viaRegistry).isSameAs(first);
        }
    }

    @Test
    void onNewDataTheHolderIsScoredOnTheCandidatesRowsNotOnItsOwn() throws IOException {
        Path old = creditG();
        Path holder = train(old, "gbdt", "h", 42);
        Path drifted = drift(old, dir.resolve("new.csv"));
        Path candidate = train(drifted, "linear", "c", 42);
        KilnModel c = KilnModel.load(candidate);
        KilnModel h = KilnModel.load(holder);

        HeadToHead.Result r = HeadToHead.compare(candidate, holder, DataReader.read(drifted), HeadToHead.SplitSpec.fromLineage(c.manifest()));

        assertThat(r.candidate().get("roc_auc")).isEqualTo(c.manifest().testMetrics().get("roc_auc"));
        assertThat(r.holder().get("roc_auc")).as("the holder on the new rows is not its old test figure")
                .isNotEqualTo(h.manifest().testMetrics().get("roc_auc"))
                .isLessThan(r.candidate().get("roc_auc"));
    }

    @Test
    void dataThatIsNotTheCandidatesIsRefused() throws IOException {
        Path data = creditG();
        Path candidate = train(data, "linear", "c", 42);
        HeadToHead.SplitSpec spec = HeadToHead.SplitSpec.fromLineage(KilnModel.load(candidate).manifest());
        Path other = drift(data, dir.resolve("other.csv"));
        assertThatThrownBy(() -> HeadToHead.compare(candidate, candidate, DataReader.read(other), spec))
                .isInstanceOf(KilnException.class).hasMessageContaining("is not the candidate's training data")
                .hasMessageContaining(spec.datasetSha256())
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void aHolderThatReadsAColumnTheNewDataLacksCannotBeScoredAndSaysWhichColumn() throws IOException {
        Path old = creditG();
        Path holder = train(old, "linear", "h", 42);
        Path withoutAge = dir.resolve("no-age.csv");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(old)) {
            List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
            cells.remove(12); // age
            lines.add(String.join(",", cells));
        }
        assertThat(lines.get(0)).doesNotContain("age");
        Files.write(withoutAge, lines);
        Path candidate = train(withoutAge, "linear", "c", 42);
        DataFrame data = DataReader.read(withoutAge);
        HeadToHead.SplitSpec spec = HeadToHead.SplitSpec.fromLineage(KilnModel.load(candidate).manifest());
        assertThatThrownBy(() -> HeadToHead.compare(candidate, holder, data, spec))
                .isInstanceOf(KilnException.class)
                .hasMessage("the holder cannot score the candidate's test rows: it reads column(s) age that the candidate's "
                        + "training data does not have")
                .satisfies(e -> assertThat(((KilnException) e).details()).isEqualTo(Map.of("columns", List.of("age"))));
    }

    /**
     * A holder written before labels were kept as written has classes false/true for a yes/no target; scored on the
     * candidate's yes/no rows, its labels map through their truth, and it gets its own test metrics back (same rows).
     */
    @Test
    void aHolderWithClassesFalseTrueIsScoredOnYesNoLabels() throws IOException {
        Path yesNo = creditG().resolveSibling("yes-no.csv");
        List<String> lines = Files.readAllLines(dir.resolve("credit-g.csv"));
        List<String> asYesNo = new ArrayList<>(List.of(lines.get(0)));
        List<String> asTrueFalse = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            String head = line.substring(0, line.lastIndexOf(',') + 1);
            boolean bad = line.endsWith(",bad");
            asYesNo.add(head + (bad ? "yes" : "no"));
            asTrueFalse.add(head + (bad ? "true" : "false"));
        }
        Files.write(yesNo, asYesNo);
        Path trueFalse = Files.write(dir.resolve("true-false.csv"), asTrueFalse);
        Path candidate = Path.of(Training.run(new TrainOptions(yesNo, "class", null, null, null, 0.2, 0.2, 42,
                List.of("linear"), List.of(), null, null, dir.resolve("yn"), false), ProgressListener.NONE).bundle());
        Path holder = Path.of(Training.run(new TrainOptions(trueFalse, "class", null, null, null, 0.2, 0.2, 42,
                List.of("linear"), List.of(), null, null, dir.resolve("tf"), false), ProgressListener.NONE).bundle());
        KilnModel c = KilnModel.load(candidate);
        KilnModel h = KilnModel.load(holder);
        assertThat(c.classes()).containsExactly("no", "yes");
        assertThat(h.classes()).containsExactly("false", "true");

        HeadToHead.SplitSpec spec = HeadToHead.SplitSpec.fromLineage(c.manifest());
        HeadToHead.Result r = HeadToHead.compare(candidate, holder,
                DataReader.read(yesNo, dev.kiln.train.Target.readOptions("class")), spec);
        for (String m : List.of("roc_auc", "log_loss")) {
            assertThat(r.candidate().get(m)).as(m).isEqualTo(c.manifest().testMetrics().get(m));
            assertThat(r.holder().get(m)).as(m).isEqualTo(h.manifest().testMetrics().get(m));
        }
        // Read as before (the target typed BOOLEAN, classes false/true), the yes/no candidate is scored the same.
        HeadToHead.Result asBoolean = HeadToHead.compare(c, h, DataReader.read(yesNo), spec);
        assertThat(asBoolean.candidate()).isEqualTo(r.candidate());
        assertThat(asBoolean.holder()).isEqualTo(r.holder());
    }

    /**
     * credit-g with its labels drawn anew from another rule (credit amount over 4,000 or duration over 30 months, a
     * quarter of them flipped): what a model trained on the old data never learnt.
     */
    public static Path drift(Path credit, Path out) throws IOException {
        java.util.Random random = new java.util.Random(7);
        List<String> lines = Files.readAllLines(credit);
        List<String> header = List.of(lines.get(0).split(","));
        int amount = header.indexOf("credit_amount");
        int duration = header.indexOf("duration");
        int target = header.indexOf("class");
        List<String> result = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            boolean bad = Integer.parseInt(cells[amount]) > 4000 || Integer.parseInt(cells[duration]) > 30;
            if (random.nextDouble() < 0.25) {
                bad = !bad;
            }
            cells[target] = bad ? "bad" : "good";
            result.add(String.join(",", cells));
        }
        Files.write(out, result);
        return out;
    }
}
