package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A boolean feature keeps the words its file writes it in (yes/no rather than true/false) on every route that reads
 * it: the parallel reader at every block size and the sequential one alike, a profile made while reading and one of
 * the frame, a forced type's batches (kiln predict's read), and the cell as text that predict and validation show
 * ({@code ValidatorTest} checks validation's examples).
 */
class BooleanWordsReadTest {
    @TempDir
    Path dir;

    /** 40 rows of yes, 3 of Yes, 20 of no, a missing one; a true/false column beside it; an integer 1/0 column. */
    private Path file() throws IOException {
        StringBuilder sb = new StringBuilder("id,member,flag,bit\n");
        for (int i = 0; i < 64; i++) {
            String member = i < 40 ? "yes" : i < 43 ? " Yes" : i < 63 ? "no" : "";
            sb.append(i).append(',').append(member).append(',').append(i % 2 == 0 ? "true" : "FALSE").append(',')
                    .append(i % 2).append('\n');
        }
        return Files.writeString(dir.resolve("members.csv"), sb.toString());
    }

    @Test
    void theColumnCarriesItsWordsAtEveryBlockSizeAndInTheSequentialRead() throws IOException {
        Path file = file();
        for (int block : new int[] {1, 7, 64, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
            DataFrame frame = ParallelCsvReaderPropertiesTest.withBlockSize(block, () -> DataReader.read(file));
            NumericColumn member = (NumericColumn) frame.column("member");
            assertThat(member.type()).isEqualTo(ColumnType.BOOLEAN);
            assertThat(member.words()).as("block %d", block).isEqualTo(new BooleanWords("yes", "no"));
            assertThat(((NumericColumn) frame.column("flag")).words()).isEqualTo(new BooleanWords("true", "FALSE"));
            assertThat(((NumericColumn) frame.column("bit")).words()).as("not boolean").isNull();
            assertThat(member.text(0)).isEqualTo("yes");
            assertThat(member.text(41)).as("a row of another spelling keeps its own (trimmed)").isEqualTo("Yes");
            assertThat(member.text(50)).isEqualTo("no");
            assertThat(member.text(63)).as("missing").isNull();
            assertThat(((NumericColumn) frame.column("flag")).asWritten()).as("each answer written one way").isNull();
            assertThat(member.select(new int[] {41, 0}).text(0)).isEqualTo("Yes");
        }
        ParallelCsvReader.Result sequential = ParallelCsvReader.sequential(file, ReadOptions.defaults());
        assertThat(((NumericColumn) sequential.columns().get(1)).words()).isEqualTo(new BooleanWords("yes", "no"));
        DataFrame parallel = ParallelCsvReaderPropertiesTest.withBlockSize(7, () -> DataReader.read(file));
        assertThat(sequential.columns()).as("the same spellings row by row").isEqualTo(parallel.columns());
    }

    /** Each chunk writes its answers one way, but not the same way: the rows keep their own. */
    @Test
    void chunksSpellingTheAnswersDifferentlyKeepEachRowsSpelling() throws IOException {
        StringBuilder sb = new StringBuilder("id,ok\n");
        for (int i = 0; i < 200; i++) {
            sb.append(i).append(',').append(i < 100 ? (i % 2 == 0 ? "yes" : "no") : (i % 2 == 0 ? "YES" : "NO")).append('\n');
        }
        Path file = Files.writeString(dir.resolve("halves.csv"), sb.toString());
        for (int block : new int[] {1, 64, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
            NumericColumn ok = (NumericColumn) ParallelCsvReaderPropertiesTest.withBlockSize(block, () -> DataReader.read(file))
                    .column("ok");
            assertThat(ok.text(0)).as("block %d", block).isEqualTo("yes");
            assertThat(ok.text(101)).as("block %d", block).isEqualTo("NO");
            assertThat(ok.text(150)).as("block %d", block).isEqualTo("YES");
            assertThat(ok.words()).as("ties: the first in String order").isEqualTo(new BooleanWords("YES", "NO"));
        }
    }

    @Test
    void aProfileCountsTheAnswersInTheFilesWords() throws IOException {
        Path file = file();
        ColumnProfile whileReading = Profiler.profile(file).column("member").orElseThrow();
        ColumnProfile ofTheFrame = Profiler.profile(DataReader.read(file)).column("member").orElseThrow();
        assertThat(whileReading).usingRecursiveComparison().isEqualTo(ofTheFrame);
        assertThat(whileReading.topCategories()).extracting(CategoryCount::value, CategoryCount::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("yes", 43L), org.assertj.core.groups.Tuple.tuple("no", 20L));
        assertThat(whileReading.mean()).as("the figures stay those of 1/0").isEqualTo(43.0 / 63);
    }

    @Test
    void aForcedBooleanKeepsItsWordsInEveryBatch() throws IOException {
        Path file = Files.writeString(dir.resolve("forced.csv"), "a,answer\n1,Y\n2,N\n3,Y\n4,y\n5,N\n");
        ReadOptions forced = ReadOptions.defaults().withTypes(Map.of("answer", ColumnType.BOOLEAN)).withOtherColumnsVerbatim();
        NumericColumn whole = (NumericColumn) DataReader.read(file, forced).column("answer");
        assertThat(whole.words()).isEqualTo(new BooleanWords("Y", "N"));
        List<DataFrame> batches = new ArrayList<>();
        BatchedReader.read(file, forced, BatchSize.rows(2), batches::add);
        List<String> shown = new ArrayList<>();
        for (DataFrame batch : batches) {
            DataColumn answer = batch.column("answer");
            for (int r = 0; r < batch.rowCount(); r++) {
                shown.add(answer.text(r));
            }
        }
        assertThat(shown).as("each row as written, whatever the batches").containsExactly("Y", "N", "Y", "y", "N");
        assertThat(whole.text(3)).isEqualTo("y");
    }

    @Test
    void columnsWithoutWordsOfTheirOwnSayTrueAndFalse() {
        NumericColumn plain = new NumericColumn("b", ColumnType.BOOLEAN, new double[] {1, 0, Double.NaN});
        assertThat(plain.words()).isEqualTo(BooleanWords.TRUE_FALSE);
        assertThat(plain.text(0)).isEqualTo("true");
        assertThat(plain.select(new int[] {1}).text(0)).isEqualTo("false");
        NumericColumn kept = new NumericColumn("b", ColumnType.BOOLEAN, new double[] {1, 0}, new BooleanWords("Yes", "No"));
        assertThat(kept.select(new int[] {1, 0}).text(1)).as("selected rows keep the words").isEqualTo("Yes");
        assertThat(kept).isNotEqualTo(new NumericColumn("b", ColumnType.BOOLEAN, new double[] {1, 0}));
        assertThat(new NumericColumn("n", ColumnType.NUMERIC, new double[] {1.5}, new BooleanWords("Yes", "No")).words())
                .as("only a boolean column has words").isNull();
    }
}
