package dev.kiln.data;

import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReadOptions#labelColumns}: a label column's yes/no words are read as written. */
class LabelColumnsTest {
    @TempDir
    Path dir;

    @Test
    void aBooleanWordLabelColumnIsCategoricalWithItsWordsTrimmed() {
        Path csv = write(dir, "d.csv", "x,flag,churn\n1,yes, Yes \n2,no,no\n3,,\n");
        DataFrame f = DataReader.read(csv, ReadOptions.labelled("churn"));
        assertThat(f.column("churn").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(values(f.column("churn"))).containsExactly("Yes", "no", null);
        assertThat(f.column("flag").type()).as("only the label column").isEqualTo(ColumnType.BOOLEAN);
        assertThat(DataReader.read(csv).column("churn").type()).as("by default").isEqualTo(ColumnType.BOOLEAN);
    }

    @Test
    void otherTypesForcedTypesAndAbsentColumnsAreLeftAlone() {
        Path csv = write(dir, "d.csv", "n,b\n1,true\n0,false\n");
        DataFrame f = DataReader.read(csv, ReadOptions.defaults().withLabelColumns(Set.of("n", "gone"))
                .withTypes(Map.of()));
        assertThat(f.column("n").type()).as("1/0 is an integer, not a label word").isEqualTo(ColumnType.INTEGER);
        DataFrame forced = DataReader.read(csv, ReadOptions.labelled("b").withTypes(Map.of("b", ColumnType.BOOLEAN)));
        assertThat(forced.column("b").type()).as("a forced type wins").isEqualTo(ColumnType.BOOLEAN);
        DataFrame asText = DataReader.read(csv, ReadOptions.labelled("b"));
        assertThat(values(asText.column("b"))).containsExactly("true", "false");
    }

    @Test
    void theOptionSurvivesTheOtherWithers() {
        ReadOptions o = ReadOptions.labelled("y").withDelimiter(';').withTypes(Map.of("a", ColumnType.TEXT))
                .withOtherColumns(ColumnType.CATEGORICAL);
        assertThat(o.labelColumns()).containsExactly("y");
        assertThat(o.withOtherColumnsVerbatim().labelColumns()).containsExactly("y");
        assertThat(new ReadOptions(null, null, null, false).labelColumns()).isEmpty();
        assertThat(ReadOptions.labelled(null).labelColumns()).isEmpty();
    }

    @Test
    void severalFilesAndTheStreamingSketcherReadLabelsTheSameWay() {
        Path a = write(dir, "a.csv", "x,y\n1,yes\n2,no\n");
        Path b = write(dir, "b.csv", "x,y\n3,no\n");
        DataFrame both = DataReader.readAll(List.of(a, b), ReadOptions.labelled("y"));
        assertThat(both.column("y").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(values(both.column("y"))).containsExactly("yes", "no", "no");
        assertThat(Sketcher.inferTypes(a, ReadOptions.labelled("y"))).containsEntry("y", ColumnType.CATEGORICAL);
        assertThat(Sketcher.inferTypes(a, ReadOptions.defaults())).containsEntry("y", ColumnType.BOOLEAN);
        assertThat(Sketcher.sketch(a, ReadOptions.labelled("y")).column("y").type()).isEqualTo(ColumnType.CATEGORICAL);
    }

    private static List<Object> values(DataColumn c) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.value(i));
        }
        return out;
    }
}
