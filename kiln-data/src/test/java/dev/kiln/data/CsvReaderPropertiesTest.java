package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Whatever bytes a data file holds, and whatever column types a user forces, reading it gives a frame or a
 * {@link KilnException} with a user-input code naming the problem; never another exception, and never the INTERNAL
 * code that marks a value the inference itself chose a wrong type for.
 */
class CsvReaderPropertiesTest {
    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<String> cell = Arbitraries.oneOf(
                Arbitraries.of("", "1", "-2.5", "1e400", "NaN", "NA", "true", "no", "2026-02-30", "2026-01-01T10:00:00Z",
                        "99999999999999999999", "\"a,b\"", "\"unterminated", "x\"y", "\"q\"x", " ", "\t", "\u0000", "é"),
                Arbitraries.strings().withChars("ab1,;|\t\"\r\n ").ofMaxLength(5));
        Arbitrary<String> line = cell.list().ofMinSize(1).ofMaxSize(4).map(cells -> String.join(",", cells));
        Arbitrary<String> text = line.list().ofMinSize(1).ofMaxSize(8).map(lines -> String.join("\n", lines));
        Arbitrary<byte[]> utf8 = text.map(t -> t.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> withBadBytes = utf8.map(b -> {
            byte[] out = java.util.Arrays.copyOf(b, b.length + 2);
            out[b.length] = (byte) 0xC3;
            out[b.length + 1] = (byte) 0x28;
            return out;
        });
        return Arbitraries.frequencyOf(Tuple.of(8, utf8), Tuple.of(1, withBadBytes),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)));
    }

    @Provide
    Arbitrary<Map<String, ColumnType>> forcedTypes() {
        return Arbitraries.maps(Arbitraries.of("a", "b", "1", "column_1", "column_2", "x"), Arbitraries.of(ColumnType.class))
                .ofMaxSize(2);
    }

    @Property(tries = 1000)
    void aFileIsReadOrRefusedWithAUserInputCode(@ForAll("files") byte[] bytes, @ForAll("forcedTypes") Map<String, ColumnType> types,
                                                @ForAll boolean forced) {
        ReadOptions options = forced ? ReadOptions.defaults().withTypes(types) : ReadOptions.defaults();
        try {
            DataFrame frame = DataReader.readCsv(new ByteArrayInputStream(bytes), "data.csv", options);
            assertThat(frame.rowCount()).isPositive();
            assertThat(List.copyOf(frame.names())).doesNotHaveDuplicates();
        } catch (KilnException e) {
            assertThat(e.code().category()).as(e.getMessage()).isEqualTo(ErrorCode.Category.USER_INPUT);
            assertThat(e.getMessage()).contains("data.csv");
        }
    }
}
