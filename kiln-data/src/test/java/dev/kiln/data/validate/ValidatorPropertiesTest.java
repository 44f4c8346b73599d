package dev.kiln.data.validate;

import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.Profiler;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import dev.kiln.runtime.validate.ValidationReport.Example;
import dev.kiln.runtime.validate.ValidationReport.Issue;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ValidatorPropertiesTest {
    private static final List<Field> FIELDS = List.of(new Field("n", ColumnType.NUMERIC, true),
            new Field("i", ColumnType.INTEGER, true), new Field("c", ColumnType.CATEGORICAL, true),
            new Field("b", ColumnType.BOOLEAN, true), new Field("d", ColumnType.DATETIME, true));

    @Provide
    Arbitrary<String> cell() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "NA", "?", "null", "  "),
                Arbitraries.integers().between(-50, 150).map(String::valueOf),
                Arbitraries.doubles().between(-100, 200).ofScale(2).map(String::valueOf),
                Arbitraries.of("a", "b", "c", "zz", "true", "no", "2020-01-05", "2031-12-31T10:00:00Z", "x y"),
                Arbitraries.strings().ofMaxLength(6));
    }

    /** Rows of five cells, one per field. */
    @Provide
    Arbitrary<List<List<String>>> table() {
        return cell().list().ofSize(FIELDS.size()).list().ofMaxSize(60);
    }

    @Property(tries = 200)
    void everyRowIsAccountedForInEveryColumnAndOverall(@ForAll("table") List<List<String>> table,
            @ForAll @IntRange(min = 0, max = 5) int dropColumn, @ForAll @IntRange(min = 0, max = 8) int maxExamples) {
        int rows = table.size();
        List<DataColumn> columns = new ArrayList<>();
        for (Field f : FIELDS) {
            if (FIELDS.indexOf(f) == dropColumn) {
                continue; // dropColumn == 5 keeps them all
            }
            String[] values = new String[rows];
            for (int r = 0; r < rows; r++) {
                String s = table.get(r).get(FIELDS.indexOf(f));
                values[r] = dev.kiln.runtime.schema.Values.isMissingToken(s) ? null : s.trim();
            }
            columns.add(new StringColumn(f.name(), ColumnType.TEXT, values));
        }
        columns.add(new StringColumn("extra", ColumnType.TEXT, new String[rows]));
        DataFrame data = new DataFrame(columns, "generated", null);

        DataFrame training = new DataFrame(List.of(
                new NumericColumn("n", ColumnType.NUMERIC, new double[] {0, 10, 50, Double.NaN}),
                new NumericColumn("i", ColumnType.INTEGER, new double[] {1, 2, 3, 100}),
                new StringColumn("c", ColumnType.CATEGORICAL, new String[] {"a", "b", "a", null}),
                new NumericColumn("b", ColumnType.BOOLEAN, new double[] {1, 0, 1, 0}),
                new NumericColumn("d", ColumnType.DATETIME, new double[] {1.5e12, 1.6e12, 1.7e12, 1.65e12})), "train", null);
        Expectations expected = Expectations.of(FIELDS, Profiler.profile(training), Map.of("c", Set.of("a")), null);

        ValidationReport report = Validator.validate(data, expected, new ValidationOptions(0.05, maxExamples));

        assertThat(report.rows()).isEqualTo(rows);
        assertThat(report.columns()).hasSize(FIELDS.size());
        for (ColumnReport c : report.columns()) {
            assertThat(c.counts().total()).as(c.name()).isEqualTo(rows);
            for (Issue issue : c.issues()) {
                assertThat(issue.examples()).hasSizeLessThanOrEqualTo(maxExamples);
                assertThat(issue.examples().size()).isLessThanOrEqualTo((int) Math.min(Integer.MAX_VALUE, Math.max(issue.count(), 0)));
                for (Example e : issue.examples()) {
                    assertThat(e.row()).isBetween(1L, (long) rows);
                }
                assertThat(issue.examples()).extracting(Example::row).isSorted();
            }
        }
        var s = report.summary();
        assertThat(s.rowsClean() + s.rowsWithWarnings() + s.rowsFailing()).isEqualTo(rows);
        boolean anyFail = report.columns().stream().anyMatch(c -> c.counts().invalidType() > 0 || !c.present());
        assertThat(report.status() == ValidationReport.Status.FAIL).isEqualTo(anyFail);
        if (dropColumn < 5) {
            assertThat(s.rowsFailing()).isEqualTo(rows);
            assertThat(report.missingColumns()).containsExactly(FIELDS.get(dropColumn).name());
        }
        assertThat(report.extraColumns()).containsExactly("extra");
    }
}
