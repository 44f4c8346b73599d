package dev.kiln.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A boolean column's words: the spelling most rows write for each answer, as a yes/no target's classes are named. */
class BooleanWordsTest {
    @Test
    void eachAnswerTakesItsMostFrequentSpelling() {
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put("Yes", 3L);
        rows.put("yes", 40L);
        rows.put("no", 12L);
        rows.put("NO", 2L);
        BooleanWords words = BooleanWords.of(rows);
        assertThat(words).isEqualTo(new BooleanWords("yes", "no"));
        assertThat(words.word(1.0)).isEqualTo("yes");
        assertThat(words.word(0.0)).isEqualTo("no");
    }

    @Test
    void aTieGoesToTheFirstSpellingInStringOrder() {
        assertThat(BooleanWords.of(Map.of("yes", 5L, "Yes", 5L, "false", 1L)))
                .isEqualTo(new BooleanWords("Yes", "false"));
        assertThat(BooleanWords.kept(Map.of("true", 2L, "TRUE", 2L, "True", 2L), 1.0)).isEqualTo("TRUE");
    }

    @Test
    void anAnswerNoRowGivesTakesTheOthersCounterpartInTheSameCase() {
        assertThat(BooleanWords.of(Map.of("yes", 3L))).isEqualTo(new BooleanWords("yes", "no"));
        assertThat(BooleanWords.of(Map.of("No", 3L))).isEqualTo(new BooleanWords("Yes", "No"));
        assertThat(BooleanWords.of(Map.of("TRUE", 1L))).isEqualTo(new BooleanWords("TRUE", "FALSE"));
        assertThat(BooleanWords.of(Map.of("Y", 1L))).isEqualTo(new BooleanWords("Y", "N"));
        assertThat(BooleanWords.of(Map.of("f", 1L))).isEqualTo(new BooleanWords("t", "f"));
        assertThat(BooleanWords.of(Map.of("0", 4L))).isEqualTo(new BooleanWords("1", "0"));
        assertThat(BooleanWords.of(Map.of("1", 4L))).isEqualTo(new BooleanWords("1", "0"));
    }

    @Test
    void noSpellingAtAllIsTrueFalse() {
        assertThat(BooleanWords.of(Map.of())).isEqualTo(BooleanWords.TRUE_FALSE);
        assertThat(BooleanWords.TRUE_FALSE.word(1.0)).isEqualTo("true");
        assertThat(BooleanWords.TRUE_FALSE.word(0.0)).isEqualTo("false");
    }

    @Test
    void aProfileGivesTheWordsItCounted() {
        ColumnProfile yesNo = boolProfile(List.of(new CategoryCount("yes", 30, 0.75), new CategoryCount("no", 10, 0.25)));
        assertThat(yesNo.booleanWords()).isEqualTo(new BooleanWords("yes", "no"));
        ColumnProfile before = boolProfile(List.of(new CategoryCount("true", 30, 0.75), new CategoryCount("false", 10, 0.25)));
        assertThat(before.booleanWords()).as("a profile made before the words were kept").isEqualTo(BooleanWords.TRUE_FALSE);
        assertThat(boolProfile(null).booleanWords()).isEqualTo(BooleanWords.TRUE_FALSE);
    }

    private static ColumnProfile boolProfile(List<CategoryCount> top) {
        return new ColumnProfile("b", "boolean", 40, 0, 2, 0.0, 1.0, 0.75, 0.4, null, null, top);
    }

    /** Whatever the counts, each word is a spelling of its own answer, and is one of the spellings given when any is. */
    @Property(tries = 300)
    void theWordsReadBackAsTheirAnswers(@ForAll @IntRange(min = 0, max = 9) int yes, @ForAll @IntRange(min = 0, max = 9) int yesUpper,
                                        @ForAll @IntRange(min = 0, max = 9) int no, @ForAll @IntRange(min = 0, max = 9) int falseLower) {
        Map<String, Long> rows = new LinkedHashMap<>();
        put(rows, "yes", yes);
        put(rows, "YES", yesUpper);
        put(rows, "no", no);
        put(rows, "false", falseLower);
        BooleanWords words = BooleanWords.of(rows);
        assertThat(Values.parseBoolean(words.trueWord())).isEqualTo(1.0);
        assertThat(Values.parseBoolean(words.falseWord())).isEqualTo(0.0);
        if (yes + yesUpper > 0) {
            assertThat(rows).containsKey(words.trueWord());
            assertThat(rows.get(words.trueWord())).isEqualTo((long) Math.max(yes, yesUpper));
        }
        if (no + falseLower > 0) {
            assertThat(rows).containsKey(words.falseWord());
        }
    }

    private static void put(Map<String, Long> rows, String spelling, int n) {
        if (n > 0) {
            rows.put(spelling, (long) n);
        }
    }
}
