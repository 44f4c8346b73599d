package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.Values;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MissingTokenPropertiesTest {
    private static final Set<String> TOKENS = Set.of("", "na", "n/a", "?", "null", "nan");

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> tokens = Arbitraries.of("NA", "n/A", "?", "NuLL", "nan", "NaN", "none", "N", "nul", "na?", "")
                .flatMap(t -> Arbitraries.of(" ", "\t", "", "  \n").list().ofMaxSize(2)
                        .map(pad -> String.join("", pad) + t + String.join("", pad)));
        return Arbitraries.oneOf(tokens, Arbitraries.strings().ofMaxLength(6));
    }

    @Property
    void aValueIsMissingExactlyWhenItsTrimmedLowerCaseFormIsAToken(@ForAll("text") String raw) {
        assertThat(Values.isMissingToken(raw)).isEqualTo(TOKENS.contains(raw.trim().toLowerCase(Locale.ROOT)));
    }
}
