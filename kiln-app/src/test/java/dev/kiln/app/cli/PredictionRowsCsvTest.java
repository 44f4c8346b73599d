package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The prediction file's records: a cell is quoted exactly when a CSV reader could not read it back unquoted. */
class PredictionRowsCsvTest {
    @Test
    void cellsWithADelimiterQuoteLineBreakOrEdgeWhitespaceAreQuoted() {
        StringBuilder w = new StringBuilder();
        PredictionRows.appendRow(w, List.of("plain", "-1.5", "", "a,b", "say \"hi\"", "two\nlines", "cr\r", " lead",
                "trail\t", "in side"), false);
        assertThat(w.toString()).isEqualTo("plain,-1.5,,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\" lead\","
                + "\"trail\t\",in side\n");
    }

    @Test
    void formulasAreEscapedBeforeQuoting() {
        StringBuilder w = new StringBuilder();
        PredictionRows.appendRow(w, List.of("=1+1", "-2", "@SUM(A1,A2)"), true);
        assertThat(w.toString()).isEqualTo("'=1+1,-2,\"'@SUM(A1,A2)\"\n");
    }

    @Provide
    Arbitrary<String> cells() {
        return Arbitraries.strings().withChars("ab1.-, \"\n\r\t=").ofMaxLength(8);
    }

    /** The rule as it was written before: four searches and the two ends. */
    @Property(tries = 2000)
    void quotedExactlyWhenTheOldRuleQuoted(@ForAll("cells") String c) {
        boolean quoted = c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0
                || !c.isEmpty() && (c.charAt(0) <= ' ' || c.charAt(c.length() - 1) <= ' ');
        StringBuilder w = new StringBuilder();
        PredictionRows.appendRow(w, List.of(c), false);
        assertThat(w.toString()).isEqualTo(quoted ? "\"" + c.replace("\"", "\"\"") + "\"\n" : c + "\n");
    }
}
