package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ReadOptions.withOtherColumnsVerbatim: pass-through columns exactly as written, typed columns as always. */
class UntrimmedColumnsTest {
    private static DataFrame read(String text, ReadOptions options) {
        return DataReader.readCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv", options);
    }

    private static final String CSV = "n,note,cat\n"
            + "1,\t=1+2,  a  \n"
            + "2,\"\t=3+4\",b\n"
            + "3,  spaced  ,c\n"
            + "4,   ,d\n"
            + "5,  \"quoted\"  ,e\n"
            + "  \n"
            + "6,plain,f\n";

    @Test
    void otherColumnsKeepLeadingAndTrailingWhitespaceQuotedOrNot() {
        DataFrame df = read(CSV, ReadOptions.defaults().withTypes(Map.of("n", ColumnType.INTEGER, "cat", ColumnType.CATEGORICAL))
                .withOtherColumnsVerbatim());
        assertThat(df.rowCount()).isEqualTo(6);
        DataColumn note = df.column("note");
        assertThat(note.type()).isEqualTo(ColumnType.TEXT);
        assertThat(note.value(0)).isEqualTo("\t=1+2");
        assertThat(note.value(1)).isEqualTo("\t=3+4");
        assertThat(note.value(2)).isEqualTo("  spaced  ");
        assertThat(note.value(3)).as("whitespace only is an empty value").isNull();
        assertThat(note.value(4)).as("whitespace around quotes is not part of the value").isEqualTo("quoted");
        assertThat(note.value(5)).isEqualTo("plain");
        assertThat(df.column("cat").value(0)).as("a typed column is trimmed as always").isEqualTo("a");
        assertThat(df.column("n").value(5)).isEqualTo(6.0);
    }

    @Test
    void withoutTheOptionEveryValueIsTrimmedAsBefore() {
        DataFrame df = read(CSV, ReadOptions.defaults().withOtherColumns(ColumnType.TEXT));
        assertThat(df.column("note").value(0)).isEqualTo("=1+2");
        assertThat(df.column("note").value(1)).isEqualTo("=3+4");
        assertThat(df.column("note").value(2)).isEqualTo("spaced");
        assertThat(df.column("cat").value(0)).isEqualTo("a");
    }
}
