package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.ClassLabels;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ClassLabelsTest {
    @Test
    void yesNoClassesTakeEveryBooleanSpelling() {
        List<String> yesNo = List.of("no", "yes");
        for (String t : List.of("yes", "Yes", "YES", "true", "True", "1", "t", "y", " yes ")) {
            assertThat(ClassLabels.indexOf(yesNo, t)).as(t).isEqualTo(1);
        }
        for (String f : List.of("no", "No", "false", "0", "f", "n")) {
            assertThat(ClassLabels.indexOf(yesNo, f)).as(f).isEqualTo(0);
        }
        assertThat(ClassLabels.indexOf(yesNo, "maybe")).isEqualTo(-1);
        assertThat(ClassLabels.indexOf(yesNo, null)).isEqualTo(-1);
        assertThat(ClassLabels.match(List.of("yes", "no"), "true")).as("class order does not matter").isEqualTo("yes");
    }

    @Test
    void oldFalseTrueClassesTakeYesAndNo() {
        assertThat(ClassLabels.match(List.of("false", "true"), "yes")).isEqualTo("true");
        assertThat(ClassLabels.match(List.of("false", "true"), "No")).isEqualTo("false");
        assertThat(ClassLabels.same("true", "yes")).isTrue();
        assertThat(ClassLabels.same("false", "yes")).isFalse();
        assertThat(ClassLabels.same("good", "good")).isTrue();
        assertThat(ClassLabels.same("1", "true")).as("only words name the same class").isFalse();
    }

    @Test
    void otherClassesMatchOnlyExactly() {
        assertThat(ClassLabels.indexOf(List.of("0", "1"), "true")).isEqualTo(-1);
        assertThat(ClassLabels.indexOf(List.of("0", "1"), "1")).isEqualTo(1);
        assertThat(ClassLabels.indexOf(List.of("no", "yes", "maybe"), "true")).isEqualTo(-1);
        assertThat(ClassLabels.indexOf(List.of("yes", "Yes"), "true")).as("not a true/false pair").isEqualTo(-1);
        assertThat(ClassLabels.isBooleanPair(List.of("False", "yes"))).isTrue();
    }

    @Property
    void anExactClassAlwaysMatchesItself(@ForAll @StringLength(max = 8) String a, @ForAll @StringLength(max = 8) String b) {
        List<String> classes = a.equals(b) ? List.of(a) : List.of(a, b);
        assertThat(ClassLabels.indexOf(classes, b)).isEqualTo(classes.indexOf(b));
    }
}
