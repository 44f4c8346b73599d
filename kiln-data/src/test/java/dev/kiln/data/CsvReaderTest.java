package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.csv;
import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsSimpleFile() {
        DataFrame df = csv("a,b,c\n1,x,2.5\n2,y,3.5\n");
        assertThat(df.rowCount()).isEqualTo(2);
        assertThat(df.names()).containsExactly("a", "b", "c");
        assertThat(df.column("a").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("b").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("c").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.row(1)).containsEntry("a", 2.0).containsEntry("b", "y").containsEntry("c", 3.5);
        assertThat(df.source()).isEqualTo("test.csv");
    }

    @Test
    void quotedFieldsKeepDelimitersQuotesAndNewlines() {
        DataFrame df = csv("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,  plain value  \n");
        assertThat(df.rowCount()).isEqualTo(4);
        assertThat(df.column("text").value(0)).isEqualTo("a, b");
        assertThat(df.column("text").value(1)).isEqualTo("say \"hi\"");
        assertThat(df.column("text").value(2)).isEqualTo("two\nlines");
        assertThat(df.column("text").value(3)).isEqualTo("plain value");
    }

    @Test
    void handlesCrlfBomAndMissingTrailingNewline() {
        DataFrame df = csv("\uFEFFa,b\r\n1,x\r\n2,y");
        assertThat(df.names()).containsExactly("a", "b");
        assertThat(df.rowCount()).isEqualTo(2);
        assertThat(df.column("b").value(1)).isEqualTo("y");
    }

    @Test
    void skipsBlankLines() {
        DataFrame df = csv("a,b\n\n1,x\n   \n2,y\n\n\n");
        assertThat(df.rowCount()).isEqualTo(2);
    }

    @Test
    void sniffsSemicolonTabAndPipe() {
        assertThat(csv("a;b;c\n1,5;x;3\n2,5;y;4\n").names()).containsExactly("a", "b", "c");
        assertThat(csv("a;b;c\n1,5;x;3\n2,5;y;4\n").column("a").value(0)).isEqualTo("1,5");
        assertThat(csv("a\tb\n1\thello, world\n2\tz\n").column("b").value(0)).isEqualTo("hello, world");
        assertThat(csv("a|b\n1|x\n").names()).containsExactly("a", "b");
        assertThat(csv("only\n1\n2\n").names()).containsExactly("only");
    }

    @Test
    void tabSeparatedFileByExtensionAndEmptyTabFields() {
        Path tsv = write(dir, "d.tsv", "a\tb\tc\n1\t\t\n\t\t\n3\tq\t1\n");
        DataFrame df = DataReader.read(tsv);
        assertThat(df.rowCount()).isEqualTo(3);
        assertThat(df.column("a").isMissing(1)).isTrue();
        assertThat(df.column("b").isMissing(0)).isTrue();
    }

    @Test
    void delimiterCanBeForced() {
        String text = "a,b;c\n1,2;3\n";
        DataFrame df = DataReader.readCsv(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "x.csv", ReadOptions.defaults().withDelimiter(';'));
        assertThat(df.names()).containsExactly("a,b", "c");
    }

    @Test
    void missingTokensAreMissing() {
        DataFrame df = csv("n,s\n1,a\nNA,NA\n?,?\nnull,null\n,\n  ,  \nN/A,NaN\n5,b\n");
        assertThat(df.column("n").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("s").type()).isEqualTo(ColumnType.CATEGORICAL);
        for (int r = 1; r <= 6; r++) {
            assertThat(df.column("n").isMissing(r)).as("row %d", r).isTrue();
            assertThat(df.column("s").isMissing(r)).as("row %d", r).isTrue();
        }
        assertThat(df.schema().field("n").orElseThrow().nullable()).isTrue();
    }

    @Test
    void emptyFile() {
        Path f = write(dir, "empty.csv", "");
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_EMPTY).hasMessageContaining("empty.csv is empty");
        Path blank = write(dir, "blank.csv", "\uFEFF\n \n");
        assertKiln(() -> DataReader.read(blank), ErrorCode.DATA_EMPTY).hasMessageContaining("is empty");
    }

    @Test
    void headerOnly() {
        Path f = write(dir, "h.csv", "a,b,c\n");
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_EMPTY)
                .hasMessageContaining("h.csv has a header but no data rows");
    }

    @Test
    void raggedRowNamesLineCountingQuotedNewlines() {
        // Row 2 spans lines 3-4, so the short row starts on line 5.
        Path f = write(dir, "r.csv", "a,b,c\n1,2,3\n4,\"x\ny\",6\n7,8\n");
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_MALFORMED)
                .hasMessageEndingWith("r.csv line 5: expected 3 fields, found 2");
        KilnException e = catchKiln(() -> DataReader.read(f));
        assertThat(e.details()).containsEntry("line", 5).containsEntry("expected", 3).containsEntry("found", 2);
    }

    @Test
    void tooManyFields() {
        assertKiln(() -> csv("a,b\n1,2\n1,2,3\n"), ErrorCode.DATA_MALFORMED)
                .hasMessage("test.csv line 3: expected 2 fields, found 3");
    }

    @Test
    void unterminatedQuoteNamesTheLineItOpened() {
        assertKiln(() -> csv("a,b\n1,2\n3,\"open\n4,5\n6,7\n"), ErrorCode.DATA_MALFORMED)
                .hasMessageContaining("test.csv line 3, column 'b'")
                .hasMessageContaining("quote opened on line 3 is never closed");
    }

    @Test
    void textAfterClosingQuoteIsMalformed() {
        assertKiln(() -> csv("a,b\n1,\"x\"y\n"), ErrorCode.DATA_MALFORMED)
                .hasMessageContaining("test.csv line 2, column 'b'")
                .hasMessageContaining("after the closing quote");
    }

    @Test
    void invalidUtf8NamesFileLineAndColumn() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write("a,b\n1,ok\n2,caf".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xC3, (byte) 0x28});
        bytes.write("\n3,z\n".getBytes(StandardCharsets.UTF_8));
        Path f = write(dir, "latin.csv", bytes.toByteArray());
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_ENCODING)
                .hasMessageContaining("latin.csv line 3, column 'b'")
                .hasMessageContaining("0xC3")
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void invalidUtf8DeepInALargeFileNamesTheRightLine() throws Exception {
        // Far beyond the first decode buffer, so the error position must survive buffering.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write("id,name\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 20_000; i++) {
            bytes.write((i + ",name" + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        bytes.write("20000,".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xE9); // Latin-1 'é'
        bytes.write("\n".getBytes(StandardCharsets.UTF_8));
        Path f = write(dir, "big.csv", bytes.toByteArray());
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_ENCODING)
                .hasMessageContaining("big.csv line 20002, column 'name'");
    }

    @Test
    void truncatedUtf8AtEndOfFile() {
        byte[] head = "a\nx".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(head, head.length + 1);
        bytes[head.length] = (byte) 0xE2; // first byte of a 3-byte sequence, then EOF
        Path f = write(dir, "cut.csv", bytes);
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_ENCODING).hasMessageContaining("cut.csv line 2");
    }

    @Test
    void duplicateHeaderIsMalformedAndEmptyHeaderIsRenamed() {
        assertKiln(() -> csv("a,b,a\n1,2,3\n"), ErrorCode.DATA_MALFORMED)
                .hasMessage("test.csv line 1: duplicate column name 'a' (columns 1 and 3)");
        DataFrame df = csv(",b,\n1,2,\n");
        assertThat(df.names()).containsExactly("column_1", "b", "column_3");
        assertThat(df.column("column_3").missingCount()).isEqualTo(1);
    }

    @Test
    void multibyteCharactersSurviveBufferBoundaries() {
        StringBuilder text = new StringBuilder("city\n");
        for (int i = 0; i < 30_000; i++) {
            text.append("Zürich-€-").append(i % 7).append('\n');
        }
        DataFrame df = csv(text.toString());
        assertThat(df.rowCount()).isEqualTo(30_000);
        assertThat(df.column("city").value(29_999)).isEqualTo("Zürich-€-" + (29_999 % 7));
    }

    @Test
    void sha256OfStreamAndFileMatchDatasetVersion() {
        Path f = write(dir, "v.csv", "a\n1\n2\n");
        DataFrame df = DataReader.read(f);
        // Reference value from `sha256sum`.
        assertThat(DatasetVersion.sha256(f)).isEqualTo("d4fa155a0784a2543c083ff5c36ec7a7d4810f08946220e5acf4c1f11006216e");
        assertThat(df.sha256()).isEqualTo(DatasetVersion.sha256(f));
    }

    static KilnException catchKiln(Runnable r) {
        try {
            r.run();
        } catch (KilnException e) {
            return e;
        }
        throw new AssertionError("expected a KilnException");
    }

    @Test
    void quotedMissingTokenIsStillMissing() {
        DataFrame df = csv("a\n\"NA\"\n\"x\"\n");
        assertThat(df.column("a").isMissing(0)).isTrue();
    }
}
