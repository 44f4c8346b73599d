package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.Values;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written number and integer checks accept exactly what the regular expressions they replaced accepted. */
class NumberTextPropertiesTest {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");

    @Provide
    Arbitrary<String> numberLike() {
        // Mostly the characters of the grammar, so that near misses are frequent; a few others, and other digits.
        return Arbitraries.strings().withChars("0123456789+-.eE").withChars(" x\u0663\t").ofMinLength(0).ofMaxLength(22);
    }

    @Property(tries = 3000)
    void numberTextIsTheRegularExpression(@ForAll("numberLike") String s) {
        assertThat(Values.isNumberText(s)).as(s).isEqualTo(NUMBER.matcher(s).matches());
        double parsed = Values.parseNumber(s);
        if (NUMBER.matcher(s.trim()).matches() && Double.isFinite(Double.parseDouble(s.trim()))) {
            assertThat(parsed).isEqualTo(Double.parseDouble(s.trim()));
        } else {
            assertThat(parsed).isNaN();
        }
    }

    @Property(tries = 3000)
    void integerIsTheRegularExpression(@ForAll("numberLike") String s) {
        assertThat(Values.isInteger(s)).as(s).isEqualTo(INTEGER.matcher(s.trim()).matches());
    }
}
