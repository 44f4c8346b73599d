package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import java.time.LocalDate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ValuesTest {
    private static final Field AGE = new Field("age", ColumnType.INTEGER, true);
    private static final Field PURPOSE = new Field("purpose", ColumnType.CATEGORICAL, true);
    private static final Field WHEN = new Field("when", ColumnType.DATETIME, true);

    @Test
    void missingTokens() {
        for (String s : new String[] {"", "  ", "NA", "na", "?", "null", "NULL", "NaN", "N/A"}) {
            assertThat(Values.isMissingToken(s)).as(s).isTrue();
        }
        assertThat(Values.isMissingToken("0")).isFalse();
        assertThat(Values.isMissingToken("none of it")).isFalse();
        assertThat(Values.isMissingToken("none")).as("a category in credit-g").isFalse();
    }

    @Test
    void numbersAreStrict() {
        assertThat(Values.parseNumber(" 12.5 ")).isEqualTo(12.5);
        assertThat(Values.parseNumber("-1e3")).isEqualTo(-1000.0);
        assertThat(Values.parseNumber("1d")).isNaN();
        assertThat(Values.parseNumber("Infinity")).isNaN();
        assertThat(Values.parseNumber("0x10")).isNaN();
        assertThat(Values.parseNumber("1e400")).isNaN();
    }

    @Test
    void datetimes() {
        double day = Values.parseDatetime("2014-03-01");
        assertThat(day).isEqualTo(LocalDate.of(2014, 3, 1).toEpochDay() * 86_400_000.0);
        assertThat(Values.parseDatetime("2014-03-01T01:00:00Z")).isEqualTo(day + 3_600_000);
        assertThat(Values.parseDatetime("2014-03-01 02:00:00+01:00")).isEqualTo(day + 3_600_000);
        assertThat(Values.parseDatetime("2014-03-01T01:00")).isEqualTo(day + 3_600_000);
        assertThat(Values.parseDatetime("2014/03/01")).isEqualTo(day);
        assertThat(Values.parseDatetime("2014-13-01")).isNaN();
        assertThat(Values.parseDatetime("yesterday")).isNaN();
    }

    @Test
    void coerceNamesTheColumnOnBadValues() {
        assertThat(Values.coerce(AGE, 42)).isEqualTo(42.0);
        assertThat(Values.coerce(AGE, "42")).isEqualTo(42.0);
        assertThat((Double) Values.coerce(AGE, null)).isNaN();
        assertThatThrownBy(() -> Values.coerce(AGE, "forty"))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("column 'age'").hasMessageContaining("forty");
        assertThatThrownBy(() -> Values.coerce(AGE, Double.NaN))
                .isInstanceOf(KilnException.class).hasMessageContaining("finite");
        assertThatThrownBy(() -> Values.coerce(AGE, Double.POSITIVE_INFINITY))
                .isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.VALUE_INVALID));
        assertThat(Values.coerce(PURPOSE, 4)).isEqualTo("4");
        assertThat(Values.coerce(PURPOSE, 4.5)).isEqualTo("4.5");
        assertThat(Values.coerce(PURPOSE, " car ")).isEqualTo("car");
        assertThat(Values.coerce(WHEN, LocalDate.of(2014, 3, 1))).isEqualTo(Values.parseDatetime("2014-03-01"));
        assertThatThrownBy(() -> Values.coerce(WHEN, "soon")).hasMessageContaining("'when'");
    }

    @Property
    void integralNumbersRoundTripAsCategories(@ForAll int n) {
        assertThat(Values.coerce(PURPOSE, n)).isEqualTo(Integer.toString(n));
        assertThat(Values.coerce(PURPOSE, (double) n)).isEqualTo(Integer.toString(n));
    }

    @Property
    void finiteDoublesParseBack(@ForAll double d) {
        if (!Double.isFinite(d)) {
            return;
        }
        assertThat(Values.parseNumber(Double.toString(d).replace("E", "e"))).isEqualTo(d);
    }

    /** A value of a forced type: what parseAs gives, except a fraction for INTEGER; NaN for what does not fit. */
    @Test
    void parseFittingIsParseAsWithWholeNumbersForIntegers() {
        assertThat(Values.parseFitting(ColumnType.INTEGER, "42")).isEqualTo(42.0);
        assertThat(Values.parseFitting(ColumnType.INTEGER, "4.0")).isEqualTo(4.0);
        assertThat(Values.parseFitting(ColumnType.INTEGER, "1e3")).isEqualTo(1000.0);
        assertThat(Values.parseFitting(ColumnType.INTEGER, "4.5")).isNaN();
        assertThat(Values.parseFitting(ColumnType.NUMERIC, "4.5")).isEqualTo(4.5);
        assertThat(Values.parseFitting(ColumnType.NUMERIC, "abc")).isNaN();
        assertThat(Values.parseFitting(ColumnType.BOOLEAN, "yes")).isEqualTo(1.0);
        assertThat(Values.parseFitting(ColumnType.INTEGER, "NA")).isNaN();
    }

    @Property
    void parseFittingAgreesWithParseAsOnWholeNumbers(@ForAll long value) {
        String text = Long.toString(value);
        assertThat(Values.parseFitting(ColumnType.INTEGER, text)).isEqualTo(Values.parseAs(ColumnType.INTEGER, text));
    }
}
