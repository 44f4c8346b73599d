package dev.kiln.runtime.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** A column typed in parts (kiln-spark's partitions) and the parts' votes merged: the type of the column typed whole. */
class TypeVotesPropertiesTest {
    @Provide
    Arbitrary<List<String>> column() {
        return Arbitraries.of("1", "-7", "2.5", "1e3", "yes", "No", "true", "2024-03-01", "2024-03-01T10:00:00Z", "abc", "0",
                " 12 ", "007").list().ofMaxSize(12);
    }

    @Property
    void votesMergedOverPartsTypeTheColumnAsVotesOverTheWhole(@ForAll("column") List<String> values,
                                                              @ForAll @IntRange(min = 0, max = 12) int cut) {
        int at = Math.min(cut, values.size());
        TypeVotes whole = votes(values);
        TypeVotes merged = votes(values.subList(0, at));
        merged.and(votes(values.subList(at, values.size())));
        assertThat(merged.type()).isEqualTo(whole.type());
        assertThat(merged.anyLeft()).isEqualTo(whole.anyLeft());
    }

    @Property
    void aForcedTypeStaysWhileEveryValueFitsIt(@ForAll("column") List<String> values) {
        TypeVotes numeric = votes(TypeVotes.forced(ColumnType.NUMERIC), values);
        boolean allNumbers = values.stream().allMatch(v -> !Double.isNaN(Values.parseNumber(v)));
        assertThat(numeric.type()).isEqualTo(allNumbers ? ColumnType.NUMERIC : null);
    }

    private static TypeVotes votes(List<String> values) {
        return votes(new TypeVotes(), values);
    }

    private static TypeVotes votes(TypeVotes votes, List<String> values) {
        values.forEach(votes::accept);
        return votes;
    }
}
