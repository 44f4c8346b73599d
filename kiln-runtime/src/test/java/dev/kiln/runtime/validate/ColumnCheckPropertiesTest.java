package dev.kiln.runtime.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
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

/**
 * A column checked in parts (kiln spark validate's partitions), each part's tally placed after the rows before it and
 * merged in order, reports what the column checked whole reports: counts, issues, messages and examples. And a value
 * checked from its number is put in the class its text gets.
 */
class ColumnCheckPropertiesTest {
    private static final Field AGE = new Field("age", ColumnType.INTEGER, true);
    private static final Field CITY = new Field("city", ColumnType.CATEGORICAL, true);
    private static final Expectations EXPECTED = Expectations.of(List.of(AGE, CITY), new DatasetProfile("train", null, 100,
            List.of(new ColumnProfile("age", "integer", 90, 10, 50, 18.0, 80.0, null, null, null, null, null),
                    new ColumnProfile("city", "categorical", 100, 0, 2, null, null, null, null, null, null,
                            List.of(new ColumnProfile.CategoryCount("paris", 60, 0.6),
                                    new ColumnProfile.CategoryCount("lyon", 40, 0.4))))),
            Map.of("city", Set.of("nice")), null);
    private static final ValidationOptions OPTIONS = new ValidationOptions(0.05, 3);

    @Provide
    Arbitrary<List<String>> ages() {
        return Arbitraries.of("", "NA", "30", "17", "81", "2.5", "abc", " 40 ", "1e2", "80").list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<String>> cities() {
        return Arbitraries.of("", "paris", "lyon", "nice", "rome", "oslo", " paris ").list().ofMaxSize(30);
    }

    @Property
    void partsMergedInOrderReportAsTheWhole(@ForAll("ages") List<String> ages, @ForAll("cities") List<String> cities,
                                            @ForAll @IntRange(min = 1, max = 5) int parts) throws Exception {
        assertThat(merged(AGE, ages, parts)).isEqualTo(whole(AGE, ages));
        assertThat(merged(CITY, cities, parts)).isEqualTo(whole(CITY, cities));
    }

    @Property
    void aNumberIsCheckedAsItsTextIs(@ForAll("ages") List<String> ages) {
        ColumnCheck fromText = new ColumnCheck(AGE, EXPECTED, OPTIONS, Integer.MAX_VALUE);
        ColumnCheck fromNumbers = new ColumnCheck(AGE, EXPECTED, OPTIONS, Integer.MAX_VALUE);
        for (int i = 0; i < ages.size(); i++) {
            String s = ages.get(i);
            double d = Values.isMissingToken(s) ? Double.NaN : Values.parseAs(ColumnType.INTEGER, s.trim());
            int byText = fromText.checkText(i + 1, s);
            if (Values.isMissingToken(s) || !Double.isNaN(d)) {
                assertThat(fromNumbers.checkNumber(i + 1, d)).as(s).isEqualTo(byText);
            }
        }
    }

    private static ValidationReport.ColumnReport whole(Field field, List<String> values) {
        ColumnCheck check = new ColumnCheck(field, EXPECTED, OPTIONS, Integer.MAX_VALUE);
        for (int i = 0; i < values.size(); i++) {
            check.checkText(i + 1, values.get(i));
        }
        return check.report(field, EXPECTED, OPTIONS, values.size());
    }

    private static ValidationReport.ColumnReport merged(Field field, List<String> values, int parts) {
        List<ColumnCheck.Tally> tallies = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int per = Math.max(1, (values.size() + parts - 1) / parts);
        for (int from = 0; from < values.size(); from += per) {
            List<String> part = values.subList(from, Math.min(values.size(), from + per));
            ColumnCheck check = new ColumnCheck(field, EXPECTED, OPTIONS, Integer.MAX_VALUE);
            for (int i = 0; i < part.size(); i++) {
                check.checkText(i + 1, part.get(i));  // rows as the part counts them
            }
            tallies.add(check.tally());
            sizes.add(part.size());
        }
        ColumnCheck all = new ColumnCheck(field, EXPECTED, OPTIONS, Integer.MAX_VALUE);
        long offset = 0;
        for (int p = 0; p < tallies.size(); p++) {
            all.merge(tallies.get(p).placed(offset, null));
            offset += sizes.get(p);
        }
        return all.report(field, EXPECTED, OPTIONS, values.size());
    }
}
