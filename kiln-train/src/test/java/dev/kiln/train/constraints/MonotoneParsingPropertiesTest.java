package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MonotoneParsingPropertiesTest {
    @Provide
    Arbitrary<Map<String, Integer>> constraints() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('_', '=', ' ', '.')
                .ofMinLength(1).ofMaxLength(8).filter(s -> !s.isBlank() && s.trim().equals(s));
        return Arbitraries.maps(names, Arbitraries.of(1, -1)).ofMaxSize(6);
    }

    @Property
    void everySpellingOfADirectionParsesBackToIt(@ForAll("constraints") Map<String, Integer> byColumn,
                                                 @ForAll boolean words, @ForAll boolean plus) {
        List<String> specs = new ArrayList<>();
        byColumn.forEach((column, sign) -> specs.add(column + "=" + (words ? (sign > 0 ? "increasing" : "decreasing")
                : sign > 0 ? (plus ? "+1" : "1") : "-1")));
        Map<String, Integer> parsed = Constraints.parseMonotone(specs);
        assertThat(parsed).isEqualTo(new LinkedHashMap<>(byColumn));
        assertThat(new ArrayList<>(parsed.keySet())).isEqualTo(new ArrayList<>(byColumn.keySet()));
    }
}
