package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which cells a spreadsheet would run: signed numbers and infinities are values, anything else signed is a formula. */
class FormulaCellsTest {
    @Test
    void signedNumbersAndInfinitiesAreLeftAlone() {
        for (String number : new String[] {"-3.5", "+1e-3", "-.5", "+7.", "-0", "-Infinity", "+Infinity", "-1E+10"}) {
            assertThat(FormulaCells.escape(number)).as(number).isEqualTo(number);
        }
    }

    @Test
    void formulasGetALeadingQuote() {
        for (String formula : new String[] {"-", "-.", "-1e", "+Inf", "-2+3", "+HYPERLINK(\"x\")", "=1+1", "@SUM(A1)",
            "\tx", "-Infinityx", "- 1"}) {
            assertThat(FormulaCells.escape(formula)).as(formula).isEqualTo("'" + formula);
        }
        assertThat(FormulaCells.escape("plain")).isEqualTo("plain");
        assertThat(FormulaCells.escape("")).isEmpty();
    }
}
