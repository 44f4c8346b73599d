package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken JSON-lines file's error names the line that is broken. DuckDB's own message counts the values before the
 * broken one plus two, not lines: {@code {"a":+3}} on line 3 of four was "in line 4", and after a blank line the count
 * fell behind the lines instead.
 */
class JsonErrorsTest {
    @TempDir
    Path dir;

    @Test
    void theErrorOfABrokenFileNamesItsLineNotDuckDbsCount() throws IOException {
        Path file = write("third.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":+3}\n{\"a\":4}\n");
        KilnException e = catchThrowableOfType(() -> DataReader.read(file), KilnException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.DATA_MALFORMED);
        assertThat(e.getMessage()).startsWith("cannot read " + file + " as JSON lines: line 3, near byte ")
                .contains("plus sign").doesNotContain("line 4").doesNotContain("JsonReadFeature");
        assertThat(e.details()).containsEntry("line", 3L).containsEntry("file", file.toString())
                .containsEntry("format", "JSON lines");
    }

    @Test
    void findsEachKindOfBreakOnItsLine() throws IOException {
        assertThat(at("{\"a\":1}\n{\"a\":01}\n")).isEqualTo(2);                 // a leading zero
        assertThat(at("{\"a\":1}\n\n\n{\"a\":+3}\n")).isEqualTo(4);            // after blank lines
        assertThat(at("{\"a\":1}\r\n{\"a\":2}\r\n{\"a\" 3}\r\n")).isEqualTo(3); // CRLF, a missing colon
        assertThat(at("{\"a\":1}\n{\"a\":2}\n{\"a\":")).isEqualTo(3);          // cut short
        assertThat(at("{\"s\":\"x\"}\n{\"s\":\"a\tb\"}\n")).isEqualTo(2);       // a raw tab in a string
        assertThat(at("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}\n")).isEqualTo(1); // deeper than DuckDB goes
        assertThat(JsonErrors.reason("Document nesting depth (129) exceeds the maximum allowed (128, from "
                + "`StreamReadConstraints.getMaxNestingDepth()`)"))
                .isEqualTo("Document nesting depth (129) exceeds the maximum allowed (128)");
        assertThat(at("{\"a\":1}\n{\"a\":2} {\"a\":3}\n")).isEqualTo(2);   // two values on a line
        Path utf8 = dir.resolve("utf8.jsonl");
        Files.write(utf8, new byte[] {'{', '"', 's', '"', ':', '"', 'o', 'k', '"', '}', '\n',
            '{', '"', 's', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        assertThat(JsonErrors.firstError(utf8, true).line()).isEqualTo(2);
        assertThat(JsonErrors.firstError(utf8, true).reason()).contains("UTF-8");
    }

    @Test
    void afterBlankLinesTooTheLineIsTheBrokenOne() throws IOException {
        Path file = write("blank.jsonl", "\n\n\n{\"a\":1}\n\n{\"a\":+2}\n{\"a\":3}\n");
        KilnException e = catchThrowableOfType(() -> DataReader.read(file), KilnException.class);
        assertThat(e.getMessage()).contains(": line 6, near byte ");
        assertThat(e.details()).containsEntry("line", 6L);
    }

    @Test
    void duckDbsCountSkipsTheLinesItReadAndAWrongCountFallsBackToEveryLine() throws IOException {
        assertThat(JsonErrors.valuesBefore("Invalid Input Error: Malformed JSON in file \"f\", at byte 6 in line 4: x"))
                .isEqualTo(2);
        assertThat(JsonErrors.valuesBefore("Invalid Input Error: JSON exceeds maximum recursion depth of 128")).isZero();
        assertThat(JsonErrors.valuesBefore(null)).isZero();
        Path file = write("skip.jsonl", "{\"a\":1}\n\n{\"a\":01}\n{\"a\":3}\n{\"a\":+4}\n");
        assertThat(JsonErrors.firstError(file, true, 1).line()).isEqualTo(3);
        assertThat(JsonErrors.firstError(file, true, 2).line()).isEqualTo(5); // DuckDB read line 3 (it did not)
        assertThat(JsonErrors.firstError(file, true, 1_000).line()).isEqualTo(3); // past the end: every line
    }

    @Test
    void aValueDuckDbCannotTakeIsNamedOnItsLineAfterBlankLines() throws IOException {
        Path file = write("duplicate.jsonl", "\n\n{\"a\":1}\n\n{\"a\":1,\"a\":2}\n");
        KilnException e = catchThrowableOfType(() -> DataReader.read(file), KilnException.class);
        assertThat(e.getMessage()).contains("in line 5: ").contains("duplicate key").doesNotContain("in line 2");
        assertThat(e.details()).containsEntry("line", 5L);
        assertThat(JsonErrors.lineOfValue(file, 1)).isEqualTo(3);
        assertThat(JsonErrors.lineOfValue(file, 3)).isEqualTo(-1);
        assertThat(JsonErrors.transformErrorOnItsLine(file, "Invalid Input Error: Malformed JSON in line 2")).isNull();
    }

    @Test
    void aJsonDocumentIsReadWholeAcrossItsLines() throws IOException {
        Path json = write("rows.json", "[\n  {\"a\": 1},\n  {\"a\": 2\n  },\n  {\"a\": +3}\n]\n");
        assertThat(JsonErrors.firstError(json, false).line()).isEqualTo(5);
        assertThat(JsonErrors.firstError(write("fine.json", "[\n  {\"a\": 1},\n  {\"a\": 2\n  }\n]\n"), false))
                .isNull();
    }

    @Test
    void aByteOrderMarkIsNamed() throws IOException {
        Path file = write("bom.jsonl", "\uFEFF{\"a\":1}\n{\"a\":2}\n");
        KilnException e = catchThrowableOfType(() -> DataReader.read(file), KilnException.class);
        assertThat(e.getMessage()).contains("line 1").contains("byte order mark");
    }

    @Test
    void whatDuckDbReadsIsNoError() throws IOException {
        // Trailing commas and NaN are read by DuckDB, so they are not what broke a file.
        assertThat(JsonErrors.firstError(write("ok.jsonl",
                "{\"a\":1,}\n{\"a\":NaN, \"b\":[1,2,],\"c\":{\"x\":1e400}}\n\n{\"s\":\"" + "x".repeat(100_000) + "\"}\n"), true))
                .isNull();
        assertThat(JsonErrors.firstError(dir.resolve("absent.jsonl"), true)).isNull();
    }

    @Test
    void onlyDuckDbsGrammarAndDepthErrorsAreLookedFor() {
        assertThat(JsonErrors.isSyntaxError("Invalid Input Error: Malformed JSON in file \"f\", at byte 6 in line 4"))
                .isTrue();
        assertThat(JsonErrors.isSyntaxError("Invalid Input Error: JSON exceeds maximum recursion depth of 128")).isTrue();
        assertThat(JsonErrors.isSyntaxError("Invalid Input Error: JSON transform error in file \"f\", in line 1: "
                + "Object {\"a\":1,\"a\":2} has duplicate key \"a\"")).isFalse(); // DuckDB's line is right there
        assertThat(JsonErrors.isSyntaxError(null)).isFalse();
    }

    @Provide
    Arbitrary<List<String>> validLines() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().between(-1e6, 1e6).map(String::valueOf),
                Arbitraries.strings().alpha().ofMaxLength(8).map(s -> "\"" + s + "\""),
                Arbitraries.of("true", "false", "null"));
        Arbitrary<String> line = Combinators.combine(value, value).as((a, b) -> "{\"a\":" + a + ",\"b\":" + b + "}");
        Arbitrary<String> blank = Arbitraries.of("", "  ", "\t");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, line), net.jqwik.api.Tuple.of(1, blank))
                .list().ofMinSize(1).ofMaxSize(40).filter(l -> l.stream().anyMatch(s -> !s.isBlank()));
    }

    /** Any file of valid lines and blank lines with one line broken: the error is found on that line. */
    @Property(tries = 100)
    void theBrokenLineIsFoundWhereverItIs(@ForAll("validLines") List<String> lines,
                                          @ForAll("breaks") String broken,
                                          @ForAll int where,
                                          @ForAll boolean crlf) throws IOException {
        List<String> all = new ArrayList<>(lines);
        int index = Math.floorMod(where, all.size() + 1);
        all.add(index, broken);
        String separator = crlf ? "\r\n" : "\n";
        Path file = Files.createTempFile("broken", ".jsonl"); // a property has no @TempDir
        try {
            Files.writeString(file, String.join(separator, all) + separator);
            JsonErrors.Location at = JsonErrors.firstError(file, true);
            assertThat(at).isNotNull();
            assertThat(at.line()).isEqualTo(index + 1);
        } finally {
            Files.delete(file);
        }
    }

    @Provide
    Arbitrary<String> breaks() {
        return Arbitraries.of("{\"a\":+1}", "{\"a\":01}", "{\"a\" 1}", "{\"a\":\"x}", "{\"a\":1", "{\"a\":tru}",
                "{a:1}", "{\"a\":\"x\ty\"}", "{\"a\":1}}", "]");
    }

    private long at(String text) throws IOException {
        JsonErrors.Location at = JsonErrors.firstError(write("f" + text.hashCode() + ".jsonl", text), true);
        assertThat(at).as(text).isNotNull();
        return at.line();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
