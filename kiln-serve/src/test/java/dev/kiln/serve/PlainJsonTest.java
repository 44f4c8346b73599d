package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/** {@link PlainJson} writes the very bytes Jackson's generator writes, or declines. */
class PlainJsonTest {

    private static String json(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String generated(List<Prediction> predictions, String model, String version, String id) throws Exception {
        List<List<InputChecks.Flag>> noFlags = new ArrayList<>();
        predictions.forEach(p -> noFlags.add(List.of()));
        return json(PlainJson.generated(predictions, noFlags, model, version, id));
    }

    @Provide
    Arbitrary<String> text() { // printable ASCII with quotes and backslashes, some control and non-ASCII characters
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t', '\u0001', 'é', '€', '\u2028').ofMaxLength(12);
    }

    @Provide
    Arbitrary<Double> probability() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(0, 1), Arbitraries.of(0.0, -0.0, 1.0, 1e-300, 4.9e-324, 0.1,
                1.0 / 3, Double.NaN, Double.POSITIVE_INFINITY, 123456789.125, 1e21));
    }

    @Provide
    Arbitrary<Prediction> prediction() {
        Arbitrary<Map<String, Double>> probabilities = Combinators.combine(text().list().ofMinSize(0).ofMaxSize(4).uniqueElements(),
                probability().list().ofSize(4)).as((labels, probs) -> {
                    Map<String, Double> m = new LinkedHashMap<>();
                    for (int i = 0; i < labels.size(); i++) {
                        m.put(labels.get(i), probs.get(i));
                    }
                    return m;
                });
        return Combinators.combine(text(), probabilities).as(Prediction::new);
    }

    @Provide
    Arbitrary<List<Prediction>> predictions() {
        return prediction().list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 1000)
    void writesJacksonsBytesOrDeclines(@ForAll("predictions") List<Prediction> predictions,
                                       @ForAll("text") String model, @ForAll("text") String version, @ForAll("text") String id)
            throws Exception {
        byte[] plain = PlainJson.predictions(predictions, model, version, id);
        boolean verbatim = PlainJson.verbatim(model) && PlainJson.verbatim(version) && PlainJson.verbatim(id);
        for (Prediction p : predictions) {
            verbatim &= PlainJson.verbatim((String) p.prediction());
            for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                verbatim &= PlainJson.verbatim(e.getKey()) && Double.isFinite(e.getValue());
            }
        }
        assertThat(plain != null).as("declines exactly when a value needs escaping or is not finite").isEqualTo(verbatim);
        Statistics.collect(plain != null ? "written" : "declined");
        Statistics.coverage(c -> c.check("written").percentage(p -> p > 10));
        if (plain != null) {
            assertThat(json(plain)).isEqualTo(generated(predictions, model, version, id));
        }
    }

    @Test
    void aTypicalAnswer() throws Exception {
        Map<String, Double> probs = new LinkedHashMap<>();
        probs.put("good", 0.10079779534903344);
        probs.put("bad", 0.8992022046509666);
        List<Prediction> one = List.of(new Prediction("bad", probs));
        String expected = "{\"predictions\":[{\"prediction\":\"bad\",\"probability_good\":0.10079779534903344,"
                + "\"probability_bad\":0.8992022046509666}],\"model_name\":\"credit\",\"model_version\":\"3\",\"request_id\":\"r-1\"}";
        assertThat(json(PlainJson.predictions(one, "credit", "3", "r-1"))).isEqualTo(expected)
                .isEqualTo(generated(one, "credit", "3", "r-1"));
    }

    @Test
    void declinesANumberPredictionAndAMissingProbability() {
        assertThat(PlainJson.predictions(List.of(new Prediction(1.5, Map.of())), "m", "1", "r")).isNull();
        Map<String, Double> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        assertThat(PlainJson.predictions(List.of(new Prediction("a", withNull)), "m", "1", "r")).isNull();
    }
}
