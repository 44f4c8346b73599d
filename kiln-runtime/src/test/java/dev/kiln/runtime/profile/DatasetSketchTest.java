package dev.kiln.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetSketchTest {
    static final Schema SCHEMA = new Schema(List.of(
            new Field("age", ColumnType.INTEGER, true),
            new Field("city", ColumnType.CATEGORICAL, true),
            new Field("vip", ColumnType.BOOLEAN, true),
            new Field("at", ColumnType.DATETIME, true)));

    static Map<String, Object> row(Object age, Object city, Object vip, Object at) {
        Map<String, Object> m = new HashMap<>();
        m.put("age", age);
        m.put("city", city);
        m.put("vip", vip);
        m.put("at", at);
        return m;
    }

    @Test
    void rowsAreCoercedWithTheSharedValueRules() {
        DatasetSketch s = DatasetSketch.builder(SCHEMA)
                .addRow(row(30, " Paris ", "yes", "2024-01-02"))
                .addRow(row("41", "NA", true, null))
                .addRow(row("", "Oslo", 0, "2024-01-02T00:00:00Z"))
                .addRow(Map.of("age", 7))
                .build();
        assertThat(s.rows()).isEqualTo(4);
        ColumnSketch age = s.column("age");
        assertThat(age.type()).isEqualTo(ColumnType.INTEGER);
        assertThat(age.count()).isEqualTo(3);
        assertThat(age.missing()).isEqualTo(1);
        assertThat(age.quantiles().sortedValues()).containsExactly(7, 30, 41);
        ColumnSketch city = s.column("city");
        assertThat(city.categories().counts()).isEqualTo(Map.of("Paris", 1L, "Oslo", 1L));
        assertThat(city.missing()).isEqualTo(2);
        assertThat(city.missingShare()).isEqualTo(0.5);
        assertThat(s.column("vip").quantiles().sortedWeights()).containsExactly(1, 2); // 0 once (0), 1 twice ("yes", true)
        assertThat(s.column("at").quantiles().sortedValues()).containsExactly(1704153600000.0);
        assertThat(s.column("at").quantiles().count()).isEqualTo(2);
    }

    @Test
    void badValueIsValueInvalidAndUnknownColumnIsColumnMissing() {
        DatasetSketch.Builder b = DatasetSketch.builder(SCHEMA);
        assertThatThrownBy(() -> b.addRow(row("abc", "x", "yes", null)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALUE_INVALID));
        assertThatThrownBy(() -> b.addNumeric("nope", 1))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLUMN_MISSING));
        assertThatThrownBy(() -> DatasetSketch.builder(SCHEMA).build().column("nope"))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLUMN_MISSING));
    }

    @Test
    void cellMethodsTopUpShortColumnsWithMissing() {
        DatasetSketch s = DatasetSketch.builder(SCHEMA)
                .addNumeric("age", 1).addNumeric("age", 2).addNumeric("age", Double.NaN)
                .addCategory("city", "a").addMissing("vip")
                .build();
        assertThat(s.rows()).isEqualTo(3);
        assertThat(s.column("age").missing()).isEqualTo(1);
        assertThat(s.column("city").missing()).isEqualTo(2);
        assertThat(s.column("vip").missing()).isEqualTo(3);
        assertThat(s.column("at").missing()).isEqualTo(3);
    }

    @Test
    void mergeEqualsOneBuilder() throws Exception {
        DatasetSketch.Builder whole = DatasetSketch.builder(SCHEMA);
        DatasetSketch.Builder a = DatasetSketch.builder(SCHEMA);
        DatasetSketch.Builder b = DatasetSketch.builder(SCHEMA);
        for (int i = 0; i < 500; i++) {
            Map<String, Object> r = row(i % 7 == 0 ? null : i, "c" + i % 5, i % 2 == 0, "2024-01-0" + (1 + i % 9));
            whole.addRow(r);
            (i < 200 ? a : b).addRow(r);
        }
        a.merge(b);
        assertThat(Json.mapper().writeValueAsString(a.build())).isEqualTo(Json.mapper().writeValueAsString(whole.build()));
    }

    @Test
    void jsonRoundTripIsExact() throws Exception {
        DatasetSketch.Builder b = new DatasetSketch.Builder(SCHEMA, 16, 3);
        for (int i = 0; i < 2000; i++) {
            b.addRow(row(i % 11 == 0 ? "NA" : i * 37 % 1001, "c" + i % 7, i % 3 == 0 ? "no" : "yes",
                    i % 5 == 0 ? null : "2024-03-01T10:00:0" + i % 10 + "Z"));
        }
        DatasetSketch s = b.build();
        String json = Json.mapper().writeValueAsString(s);
        DatasetSketch back = Json.mapper().readValue(json, DatasetSketch.class);
        assertThat(Json.mapper().writeValueAsString(back)).isEqualTo(json);
        assertThat(back.rows()).isEqualTo(2000);
        assertThat(back.names()).containsExactly("age", "city", "vip", "at");
        assertThat(back.column("age").quantiles().sortedWeights()).containsExactly(s.column("age").quantiles().sortedWeights());
        assertThat(back.column("city").categories().other()).isEqualTo(s.column("city").categories().other()).isPositive();
        assertThat(json).contains("\"type\" : \"INTEGER\"");
    }

    @Test
    void inconsistentJsonIsRejected() {
        String json = """
                {"rows": 3, "columns": [{"name": "x", "type": "NUMERIC", "count": 2, "missing": 0,
                 "quantiles": {"k": 64, "count": 2, "min": 1.0, "max": 2.0, "levels": [[1.0, 2.0]], "compactions": [0]}}]}
                """;
        assertThatThrownBy(() -> Json.mapper().readValue(json, DatasetSketch.class))
                .hasMessageContaining("expected 3 rows");
        String wrongKind = """
                {"rows": 1, "columns": [{"name": "x", "type": "CATEGORICAL", "count": 1, "missing": 0,
                 "quantiles": {"k": 64, "count": 1, "min": 1.0, "max": 1.0, "levels": [[1.0]], "compactions": [0]}}]}
                """;
        assertThatThrownBy(() -> Json.mapper().readValue(wrongKind, DatasetSketch.class))
                .hasMessageContaining("needs categories");
    }
}
