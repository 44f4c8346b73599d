package dev.kiln.data.validate;

import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Validator#validate(Path, Expectations, ValidationOptions)} checks a column the typed read made strings as it
 * is, without reading the file again as text: that holds only if such a column's values are exactly those of reading
 * the column as TEXT (trimmed, missing tokens missing, quotes undone, label words kept).
 */
class StringColumnsAsTextPropertiesTest {
    private static final List<String> TOKENS = List.of("paris", " rome ", "\"new york\"", "\"a, b\"", "\"say \"\"hi\"\"\"",
            "NA", "", "?", "null", "N/A", "yes", "no", "true", "12", "007", "1.5", "-3", "2020-01-02", "é", "  x y  ",
            "TRUE", "nan");

    @Provide
    Arbitrary<List<List<String>>> rows() {
        Arbitrary<String> token = Arbitraries.of(TOKENS);
        return token.list().ofSize(3).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 150)
    void aStringColumnHoldsWhatATextReadGives(@ForAll("rows") List<List<String>> rows) throws IOException {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (List<String> row : rows) {
            csv.append(String.join(",", row)).append('\n');
        }
        Path file = Files.createTempFile("kiln-strings", ".csv");
        try {
            Files.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
            ReadOptions typedOptions = ReadOptions.defaults().withLabelColumns(java.util.Set.of("label"));
            DataFrame typed = DataReader.read(file, typedOptions);
            Map<String, ColumnType> asText = new LinkedHashMap<>();
            for (String name : List.of("a", "b", "label")) {
                asText.put(name, ColumnType.TEXT);
            }
            DataFrame text = DataReader.read(file, typedOptions.withTypes(asText));
            for (String name : List.of("a", "b", "label")) {
                DataColumn column = typed.column(name);
                if (column instanceof StringColumn strings) {
                    assertThat(strings.values()).as(name).containsExactly(((StringColumn) text.column(name)).values());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
