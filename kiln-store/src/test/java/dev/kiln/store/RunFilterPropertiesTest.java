package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The filter's text form: printing and parsing round-trip, other spellings of a filter parse to the same filter, and
 * any text at all is read or refused with INVALID_ARGUMENT at a position inside it, never anything else.
 */
class RunFilterPropertiesTest {
    @Property(tries = 2000)
    void printedFiltersParseBackToThemselves(@ForAll long seed) {
        RandomRuns random = new RandomRuns(seed);
        RunFilter f = random.filter(1 + (int) Math.floorMod(seed, 8L), List.of());
        String printed = f.toString();
        assertThat(RunFilter.parse(printed)).as(printed).isEqualTo(f);
        assertThat(RunFilter.parse(printed).toString()).isEqualTo(printed);
        String messy = random.messy(f);
        assertThat(RunFilter.parse(messy)).as(messy).isEqualTo(f);
    }

    @Property(tries = 3000)
    void garbageIsReadOrRefusedWithAPosition(@ForAll("garbage") String text) {
        try {
            RunFilter f = RunFilter.parse(text);
            Statistics.label("outcome").collect("read");
            assertThat(RunFilter.parse(f.toString())).isEqualTo(f);
        } catch (KilnException e) {
            Statistics.label("outcome").collect("refused");
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("field", "filter").containsKey("expected");
            assertThat((Integer) e.details().get("position")).isBetween(1, text.length() + 1);
        }
    }

    /** Pieces of filters glued at random, and plain random characters. */
    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> pieces = Arbitraries.of("metrics.", "params.", "tags.", "attributes.", "status", "start_time", "auc", "`",
                "'", "\"", "\\", "(", ")", ",", " ", "and", "or", "not", "in", "like", "ilike", "=", "==", "!", "!=", "<", "<=", ">",
                ">=", "<>", "1", "-", ".", "e", "1e-3", "1e999", "'x'", "%", "_", "\n", "é", "😀", "metrics.a > 1");
        Arbitrary<String> glued = pieces.list().ofMaxSize(25).map(l -> String.join("", l));
        Arbitrary<String> chars = Arbitraries.strings().ofMaxLength(40);
        return Arbitraries.oneOf(glued, glued, chars);
    }
}
