package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.ParallelCsvReaderPropertiesTest.Failure;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixed cases of the parallel CSV reader: every kind of bad input gives the sequential reader's exact error (naming
 * file, line and column), at the default block and at tiny blocks; real datasets read identically; the block knob
 * decides how many chunks a file is cut into.
 */
class ParallelCsvReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Both readers, at several block sizes, give the same outcome; returns it. */
    private static Object sameOutcome(Path file, ReadOptions options) {
        Object expected = ParallelCsvReaderPropertiesTest.outcome(() -> ParallelCsvReader.sequential(file, options));
        for (int block : new int[] {1, 3, 7, 64, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
            Object actual = ParallelCsvReaderPropertiesTest.withBlockSize(block,
                    () -> ParallelCsvReaderPropertiesTest.outcome(() -> ParallelCsvReader.read(file, options)));
            assertThat(actual).as("block %d", block).isEqualTo(expected);
        }
        return expected;
    }

    private Failure failure(String name, String text, ReadOptions options) throws IOException {
        Path file = write(name, text);
        Object outcome = sameOutcome(file, options);
        assertThat(outcome).isInstanceOf(Failure.class);
        Failure f = (Failure) outcome;
        assertThat(f.message()).contains(file.toString());
        assertThat(f.details()).containsEntry("file", file.toString());
        return f;
    }

    @Test
    void aLabelColumnKeepsItsWordsAtEveryBlockSize() throws IOException {
        Path file = write("labels.csv", "x,y,flag\n1, yes ,true\n2,no,false\n3,Yes,NA\n4,,yes\n5,\"no\",no\n");
        ReadOptions labelled = ReadOptions.labelled("y");
        Object outcome = sameOutcome(file, labelled);
        assertThat(outcome).isInstanceOf(ParallelCsvReader.Result.class);
        ParallelCsvReader.Result result = (ParallelCsvReader.Result) outcome;
        assertThat(result.columns().get(1)).isEqualTo(new StringColumn("y", ColumnType.CATEGORICAL,
                new String[] {"yes", "no", "Yes", null, "no"}));
        assertThat(result.columns().get(2).type()).as("not a label: still boolean").isEqualTo(ColumnType.BOOLEAN);
        assertThat(sameOutcome(file, ReadOptions.defaults())).isNotEqualTo(outcome);
    }

    @Test
    void aWrongFieldCountNamesItsLine() throws IOException {
        Failure f = failure("a.csv", "a,b\n1,2\n3,4\n5\n6,7\n", ReadOptions.defaults());
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(f.message()).endsWith("line 4: expected 2 fields, found 1");
        assertThat(f.details()).containsEntry("line", 4);
    }

    @Test
    void anUnterminatedQuoteNamesTheLineItOpensOnAndItsColumn() throws IOException {
        Failure f = failure("a.csv", "a,b\n1,2\n3,\"open\n4,5\n", ReadOptions.defaults());
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(f.message()).contains("line 3, column 'b': unterminated quoted field");
        assertThat(f.details()).containsEntry("column", "b");
    }

    @Test
    void aCharacterAfterAClosingQuoteNamesLineAndColumn() throws IOException {
        Failure f = failure("a.csv", "a,b\r\n1,2\r\n\"x\"y,3\r\n", ReadOptions.defaults());
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(f.message()).contains("line 3, column 'a': unexpected character 'y' after the closing quote");
    }

    @Test
    void bytesThatAreNotUtf8NameLineColumnAndOffset() throws IOException {
        byte[] bytes = "a,b\n1,2\n3,x\n".getBytes(StandardCharsets.US_ASCII);
        bytes[10] = (byte) 0xFF;
        Path file = write("a.csv", bytes);
        Failure f = (Failure) sameOutcome(file, ReadOptions.defaults());
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_ENCODING);
        assertThat(f.message()).contains("line 3, column 'b': bytes 0xFF (byte offset 10)");
    }

    @Test
    void anEmptyFileAndAHeaderWithoutRowsAreEmpty() throws IOException {
        assertThat(failure("empty.csv", "", ReadOptions.defaults()).code()).isEqualTo(ErrorCode.DATA_EMPTY);
        assertThat(failure("blank.csv", " \n\r\n", ReadOptions.defaults()).code()).isEqualTo(ErrorCode.DATA_EMPTY);
        Failure headerOnly = failure("header.csv", "a,b\n\n", ReadOptions.defaults());
        assertThat(headerOnly.code()).isEqualTo(ErrorCode.DATA_EMPTY);
        assertThat(headerOnly.message()).endsWith("has a header but no data rows");
    }

    @Test
    void aDuplicateHeaderNameIsMalformed() throws IOException {
        Failure f = failure("a.csv", "\n\nx,y,x\n1,2,3\n", ReadOptions.defaults());
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(f.message()).endsWith("line 3: duplicate column name 'x' (columns 1 and 3)");
    }

    @Test
    void aValueThatDoesNotFitAForcedTypeNamesLineAndColumn() throws IOException {
        Failure f = failure("a.csv", "a,b\n1,2\n3,x\n", ReadOptions.defaults().withTypes(Map.of("b", ColumnType.INTEGER)));
        assertThat(f.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(f.message()).contains("line 3, column 'b': value 'x' is not an integer");
        Failure fraction = failure("b.csv", "a,b\n1,2.5\n", ReadOptions.defaults().withOtherColumns(ColumnType.INTEGER));
        assertThat(fraction.message()).contains("line 2, column 'b': value '2.5' is not an integer");
        Failure bool = failure("c.csv", "a\nyes\nmaybe\n", ReadOptions.defaults().withOtherColumns(ColumnType.BOOLEAN));
        assertThat(bool.message()).contains("line 3, column 'a': value 'maybe'");
    }

    @Test
    void aForcedTypeForAMissingColumnListsTheColumns() throws IOException {
        Failure f = failure("a.csv", "a,b\n1,2\n", ReadOptions.defaults().withTypes(Map.of("c", ColumnType.TEXT)));
        assertThat(f.code()).isEqualTo(ErrorCode.COLUMN_MISSING);
        assertThat(f.message()).endsWith("available columns: a, b");
    }

    @Test
    void forcedTypesConvertAsTheSequentialReaderDoes() throws IOException {
        Path file = write("a.csv", "a,b,c,d\n1,t,2014-03-01,x\n2.0,N,,y\n");
        Object outcome = sameOutcome(file, ReadOptions.defaults().withTypes(Map.of("a", ColumnType.INTEGER,
                "b", ColumnType.BOOLEAN, "c", ColumnType.DATETIME, "d", ColumnType.TEXT)));
        assertThat(outcome).isInstanceOf(ParallelCsvReader.Result.class);
    }

    @Test
    void aColumnThatTurnsToTextInALaterChunkIsReadAgainAsText() throws IOException {
        StringBuilder text = new StringBuilder("n,m\n");
        for (int i = 0; i < 5000; i++) {
            text.append(i).append(',').append(i % 2 == 0 ? "yes" : "no").append('\n');
        }
        text.append("many,5\n");
        Path file = write("late.csv", text.toString());
        ParallelCsvReader.Result result = (ParallelCsvReader.Result) sameOutcome(file, ReadOptions.defaults());
        assertThat(result.columns().get(0).type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(result.columns().get(0).value(17)).isEqualTo("17");
        assertThat(result.columns().get(1).type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(result.columns().get(1).value(0)).isEqualTo("yes");
    }

    @Test
    void theShippedDatasetsReadIdentically() throws IOException {
        List<Path> files;
        Path datasets = sharedDatasets();
        try (Stream<Path> shared = datasets != null ? Files.list(datasets) : Stream.empty()) {
            files = Stream.concat(shared.filter(p -> p.toString().endsWith(".csv")),
                    Stream.of(Fixtures.resource("credit-g.csv"), Fixtures.resource("seattle-weather.csv"))).toList();
        }
        for (Path file : files) {
            Object outcome = sameOutcome(file, ReadOptions.defaults());
            assertThat(outcome).as(file.toString()).isInstanceOf(ParallelCsvReader.Result.class);
            DataFrame frame = DataReader.read(file);
            ParallelCsvReader.Result expected = ParallelCsvReader.sequential(file, ReadOptions.defaults());
            assertThat(frame.columns()).isEqualTo(expected.columns());
            assertThat(frame.sha256()).isEqualTo(DatasetVersion.sha256(file));
        }
    }

    /** The team's shared datasets (shared/datasets beside or above the checkout), or null where there are none. */
    private static Path sharedDatasets() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/datasets"))) {
                return p.resolve("shared/datasets");
            }
        }
        return null;
    }

    @Test
    void theBlockSizeDecidesHowManyChunksAFileIsCutInto() throws IOException {
        StringBuilder text = new StringBuilder("a,b\n");
        for (int i = 0; i < 1000; i++) {
            text.append(i).append(",x").append(i % 7).append('\n');
        }
        Path file = write("blocks.csv", text.toString());
        assertThat(ParallelCsvReader.chunkCount(file, ReadOptions.defaults(), ParallelCsvReader.DEFAULT_BLOCK_SIZE))
                .isEqualTo(1);
        assertThat(ParallelCsvReader.chunkCount(file, ReadOptions.defaults(), 100)).isGreaterThan(50);
    }

    @Test
    void handlesUntrimmedColumnsButNotANonAsciiDelimiter() {
        assertThat(ParallelCsvReader.handles(ReadOptions.defaults())).isTrue();
        assertThat(ParallelCsvReader.handles(ReadOptions.defaults().withDelimiter(';'))).isTrue();
        assertThat(ParallelCsvReader.handles(ReadOptions.defaults().withDelimiter('§'))).isFalse();
        assertThat(ParallelCsvReader.handles(ReadOptions.defaults().withOtherColumnsVerbatim())).isTrue();
    }

    /**
     * Columns kept as written (`kiln predict`'s pass-through columns) keep an unquoted value's surrounding whitespace,
     * the first field of a record and one after blank lines included; quoted values keep what is inside the quotes.
     */
    @Test
    void untrimmedColumnsKeepTheWhitespaceAroundUnquotedValues() throws IOException {
        Path file = dir.resolve("untrimmed.csv");
        Files.writeString(file, "id,x\n\t=cmd\t, 1.5 \n \n  \t\r\n  a b  , 2\n\" q \" ,3\n   ,4\n");
        ReadOptions options = ReadOptions.defaults().withTypes(Map.of("x", ColumnType.NUMERIC))
                .withOtherColumnsVerbatim();
        ParallelCsvReader.Result parallel = ParallelCsvReader.read(file, options);
        assertThat(((StringColumn) parallel.columns().get(0)).values()).containsExactly("\t=cmd\t", "  a b  ", " q ", null);
        assertThat(parallel).isEqualTo(ParallelCsvReader.sequential(file, options));
    }
}
