package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.NumericColumn;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A yes/no target is trained, reported, stored and predicted in the words the file holds. */
class LabelsAsWrittenTest {
    @TempDir
    Path dir;

    /** Rows a (numeric), colour and y; {@code word} spells row i's answer (true: the event, likelier for large a). */
    private Path data(String name, int rows, double eventRate, TruthSpelling word) throws IOException {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder("a,colour,y\n");
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian();
            boolean event = a + r.nextGaussian() * 0.5 > quantile(1 - eventRate);
            sb.append(a).append(',').append(i % 3 == 0 ? "red" : "blue").append(',').append(word.spell(event, i)).append('\n');
        }
        return Files.writeString(dir.resolve(name + ".csv"), sb.toString());
    }

    /** Roughly the normal quantile of the sum a + 0.5 noise (sd ~1.118), enough to set an event rate. */
    private static double quantile(double p) {
        return 1.118 * (p > 0.5 ? 0.84 * (p - 0.5) / 0.3 : -0.84 * (0.5 - p) / 0.3);
    }

    @FunctionalInterface
    private interface TruthSpelling {
        String spell(boolean event, int row);
    }

    private TrainingReport train(Path data, String positiveClass) {
        TrainOptions d = TrainOptions.defaults(data, "y", dir.resolve("b-" + System.nanoTime()));
        TrainOptions o = new TrainOptions(data, "y", null, null, null, d.testFraction(), d.validationFraction(), d.seed(),
                List.of("linear"), List.of(), positiveClass, null, d.out(), false);
        return Training.run(o, ProgressListener.NONE);
    }

    @Test
    void aRareYesIsThePositiveClassAndPredictionsSayYesOrNo() throws Exception {
        TrainingReport r = train(data("rare-yes", 300, 0.2, (e, i) -> e ? "yes" : "no"), null);
        assertThat(r.task()).isEqualTo(Task.BINARY);
        assertThat(r.classes()).containsExactly("no", "yes");
        assertThat(r.positiveClass()).isEqualTo("yes");
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        BundleManifest m = model.manifest();
        assertThat(m.classes()).containsExactly("no", "yes");
        assertThat(m.positiveClass()).isEqualTo("yes");
        Set<Object> predicted = new HashSet<>();
        for (double a : new double[] {-3, 3}) {
            var p = model.predict(Map.of("a", a, "colour", "red"));
            predicted.add(p.prediction());
            assertThat(p.probabilities()).containsOnlyKeys("no", "yes");
        }
        assertThat(predicted).containsExactlyInAnyOrder("no", "yes");
    }

    @Test
    void aRareNoDoesNotMakeNoThePositiveClass() throws Exception {
        TrainingReport r = train(data("rare-no", 300, 0.8, (e, i) -> e ? "yes" : "no"), null);
        assertThat(r.classes()).containsExactly("no", "yes");
        assertThat(r.positiveClass()).as("the yes word, not the rarer class").isEqualTo("yes");
    }

    @Test
    void positiveClassNoIsHonoured() throws Exception {
        TrainingReport r = train(data("no-positive", 300, 0.3, (e, i) -> e ? "yes" : "no"), "no");
        assertThat(r.classes()).containsExactly("yes", "no");
        assertThat(r.positiveClass()).isEqualTo("no");
    }

    @Test
    void trueAndFalseKeepTheirWordsAndCase() throws Exception {
        TrainingReport r = train(data("capitals", 300, 0.7, (e, i) -> e ? "True" : "False"), null);
        assertThat(r.classes()).containsExactly("False", "True");
        assertThat(r.positiveClass()).isEqualTo("True");
        assertThat(KilnModel.load(Path.of(r.bundle())).manifest().classes()).containsExactly("False", "True");
    }

    @Test
    void mixedSpellingsOfOneAnswerAreOneClassSpelledTheMostFrequentWay() throws Exception {
        // yes in most event rows, Yes in every 7th; No in every 5th non-event row, no in the rest.
        TrainingReport r = train(data("mixed", 300, 0.3, (e, i) -> e ? (i % 7 == 0 ? "Yes" : "yes") : (i % 5 == 0 ? "No" : "no")),
                null);
        assertThat(r.classes()).containsExactly("no", "yes");
        assertThat(r.positiveClass()).isEqualTo("yes");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("target 'y' writes the same answer more than one way")
                .contains("'Yes' (").contains("read as 'yes'"));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("'No' (").contains("read as 'no'"));
    }

    @Test
    void otherBinaryTargetsKeepTheRarerClassRule() throws Exception {
        TrainingReport r = train(data("words", 300, 0.7, (e, i) -> e ? "stay" : "churn"), null);
        assertThat(r.positiveClass()).isEqualTo("churn");
    }

    @Test
    void heldOutRowsOfAYesNoFileMatchARunRecordedAsTrueFalse() throws Exception {
        Path data = data("held", 300, 0.3, (e, i) -> e ? "yes" : "no");
        TrainOptions d = TrainOptions.defaults(data, "y", null);
        // The lineage of a run from before labels were kept as written pins the positive class 'true'.
        TrainOptions pinned = new TrainOptions(null, "y", Task.BINARY, null, null, d.testFraction(), d.validationFraction(),
                d.seed(), List.of(), List.of(), "true", null, null, false);
        HeldOut held = HeldOut.testRows(DataReader.read(data, Target.readOptions("y")), pinned);
        assertThat(held.classes()).containsExactly("no", "yes");
        assertThat(held.positiveClass()).isEqualTo("yes");
        HeldOut asBefore = HeldOut.testRows(DataReader.read(data), pinned);
        assertThat(asBefore.classes()).as("read as BOOLEAN, without the label option: the column's words")
                .containsExactly("no", "yes");
        assertThat(asBefore.positiveClass()).isEqualTo("yes");
        assertThat(asBefore.y()).as("the same rows, the same truth").containsExactly(held.y());
    }

    @Test
    void aTargetReadAsBooleanHasItsColumnsWordsAndTheTrueWordPositive() throws Exception {
        Path data = data("boolean", 200, 0.8, (e, i) -> e ? "yes" : "no");
        DataFrame frame = DataReader.read(data);
        assertThat(frame.column("y").type()).isEqualTo(ColumnType.BOOLEAN);
        Target t = Target.of(frame, TrainOptions.defaults(data, "y", null));
        assertThat(t.classes()).containsExactly("no", "yes");
        assertThat(t.positiveClass()).as("the event the question asks about, though it is the commoner class").isEqualTo("yes");
        DataFrame plain = new DataFrame(List.of(new NumericColumn("y", ColumnType.BOOLEAN, new double[] {1, 0, 1, 1})), "mem", null);
        Target words = Target.of(plain, TrainOptions.defaults(data, "y", null));
        assertThat(words.classes()).as("a column without words of its own").containsExactly("false", "true");
        assertThat(words.positiveClass()).isEqualTo("true");
    }

    @Test
    void aWarmStartFromAParentWithClassesFalseTrueContinuesOnYesNoData() throws Exception {
        Path old = data("old", 400, 0.3, (e, i) -> e ? "true" : "false");
        Path parent = Path.of(Training.run(TrainOptions.defaults(old, "y", dir.resolve("parent"))
                .withAlgorithms(List.of("gbdt")), ProgressListener.NONE).bundle());
        assertThat(KilnModel.load(parent).classes()).containsExactly("false", "true");
        Path fresh = data("fresh", 300, 0.3, (e, i) -> e ? "yes" : "no");
        TrainingReport warm = Training.run(TrainOptions.defaults(fresh, "y", dir.resolve("warm"))
                .withWarmStart(new WarmStart(parent, "old:1", 5)), ProgressListener.NONE);
        assertThat(warm.classes()).as("a continued model predicts what its parent predicts").containsExactly("false", "true");
        assertThat(warm.positiveClass()).isEqualTo("true");
    }

    @Test
    void testDataIsReadWithTheSameLabels() throws Exception {
        Path train = data("train", 240, 0.3, (e, i) -> e ? "yes" : "no");
        Path test = data("test", 80, 0.3, (e, i) -> e ? "yes" : "no");
        TrainOptions o = TrainOptions.defaults(train, "y", dir.resolve("t")).withAlgorithms(List.of("linear")).withTestData(test);
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        assertThat(r.classes()).containsExactly("no", "yes");
        assertThat(r.testRows()).isEqualTo(80);
    }

}
