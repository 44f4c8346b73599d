package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.io.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** {@link RowScorer} without Spark: a chunk of rows scores as {@link KilnModel#predict} scores each row alone. */
class RowScorerTest {
    static Path dir;
    static KilnModel model;
    /** The input: id, x, n, city, member (the model's columns, as Parquet would type them). */
    static final String[] COLUMNS = {"id", "x", "n", "city", "member"};

    @BeforeContainer
    static void train() throws Exception {
        dir = Files.createTempDirectory("kiln-rowscorer-");
        model = Fixtures.train(Fixtures.data(dir.resolve("data.csv"), 600, 5), dir, "label", "amount", "gbdt");
    }

    @AfterContainer
    static void clean() {
        FileTrees.deleteQuietly(dir);
    }

    @Provide
    Arbitrary<List<Object[]>> rows() {
        Arbitrary<Object[]> row = Combinators.combine(
                Arbitraries.doubles().between(-4, 4).injectNull(0.1),
                Arbitraries.integers().between(0, 12).map(Integer::longValue).injectNull(0.1),
                Arbitraries.of("c0", "c1", "c2", "c3", "c4", "c5", "atlantis").injectNull(0.1),
                Arbitraries.of(true, false).injectNull(0.1),
                Arbitraries.of("", "abc", "1e3", " 7 ", "-").injectNull(0.8))
                .as((x, n, city, member, badX) -> new Object[] {x, n, city, member, badX});
        return row.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 60)
    void aChunkScoresEachRowAsPredictDoesAndABadValueOnlyItsRow(@ForAll("rows") List<Object[]> drawn) {
        List<Row> rows = new ArrayList<>();
        List<Map<String, Object>> maps = new ArrayList<>();
        for (int i = 0; i < drawn.size(); i++) {
            Object[] d = drawn.get(i);
            Object x = d[4] != null ? d[4] : d[0];  // sometimes text where the model wants a number
            rows.add(RowFactory.create("r" + i, x, d[1], d[2], d[3]));
            Map<String, Object> map = new HashMap<>();
            map.put("x", x);
            map.put("n", d[1]);
            map.put("city", d[2]);
            map.put("member", d[3]);
            maps.add(map);
        }
        List<Row> scored = new RowScorer(model, RowScorer.positions(model, COLUMNS), COLUMNS.length).score(rows);

        assertThat(scored).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row out = scored.get(i);
            assertThat(out.size()).isEqualTo(COLUMNS.length + 4);
            for (int c = 0; c < COLUMNS.length; c++) {
                assertThat(out.get(c)).isEqualTo(rows.get(i).get(c));
            }
            Prediction want;
            try {
                want = model.predict(maps.get(i));
            } catch (KilnException e) {
                assertThat(out.getString(8)).isEqualTo(e.code().wireName() + ": " + e.getMessage());
                assertThat(out.get(5)).isNull();
                assertThat(out.get(6)).isNull();
                continue;
            }
            assertThat(out.getString(8)).isNull();
            assertThat(out.get(5)).isEqualTo(want.prediction());
            assertThat(out.getDouble(6)).isEqualTo(want.probabilities().get(model.classes().get(0)));
            assertThat(out.getDouble(7)).isEqualTo(want.probabilities().get(model.classes().get(1)));
        }
    }

    @Property(tries = 20)
    void columnsAreFoundByNameInAnyOrderAndCase(@ForAll("permutations") List<String> order) {
        String[] columns = order.toArray(String[]::new);
        int[] positions = RowScorer.positions(model, columns);
        for (int j = 0; j < positions.length; j++) {
            assertThat(columns[positions[j]]).isEqualToIgnoringCase(model.requiredFields().get(j).name());
        }
    }

    @Provide
    Arbitrary<List<String>> permutations() {
        return Arbitraries.shuffle("id", "X", "n", "City", "member", "other");
    }
}
