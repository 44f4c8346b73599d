package dev.kiln.serve.traffic;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.log.PredictionRow;
import dev.kiln.runtime.log.SentInstance;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.Fixtures;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.http.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The shadow scorer's queue and the instances it reads back (the server end to end: {@code dev.kiln.serve.ShadowTest}). */
class ShadowScorerTest {
    /** An instance as sent in another key order (the prediction log's own is {@code PredictionLog.Sent}). */
    private record Sent(Object[] columns, int[] order, String[] extraNames, Object[] extraValues) implements SentInstance {
    }

    @Test
    void aFullQueueDropsCopiesAndCountsThem() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "1");
        ModelHost.Served shadow = host.putShadow("credit", KilnModel.load(bundle("credit-gbdt")), "2");
        List<Map<String, Object>> rows = Fixtures.rows(shadow.model());
        List<Object> served = new ArrayList<>();
        rows.forEach(r -> served.add("good"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<PredictionRow> logged = new CopyOnWriteArrayList<>();
        try (ShadowScorer scorer = new ShadowScorer((row, servedVersion, servedPrediction) -> logged.add(row), registry, 1)) {
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                refused += scorer.offer(new ShadowScorer.Job(shadow, "1", served, "r" + i, Instant.now(), shadow.model().requiredFields(),
                        rows)) ? 0 : 1;
            }
            assertThat(refused).isPositive();
            assertThat(registry.get("kiln.shadow.dropped").tag("model", "credit").counter().count()).isEqualTo(refused);
            scorer.close();
            assertThat(scorer.stopped()).as("closed: the queued job scored, the thread gone").isTrue();
            assertThat(logged).as("every row of every job taken").hasSize((200 - refused) * rows.size());
            assertThat(scorer.offer(new ShadowScorer.Job(shadow, "1", served, "late", Instant.now(), shadow.model().requiredFields(),
                    rows))).as("no job after close").isFalse();
        }
    }

    @Test
    void loggedInstancesOfEveryShapeBecomeRows() {
        List<Field> fields = KilnModel.load(bundle("credit-gbdt")).requiredFields().subList(0, 2);
        String a = fields.get(0).name();
        String b = fields.get(1).name();
        Map<String, Object> expected = new HashMap<>();
        expected.put(a, "x");
        expected.put(b, 12L);
        assertThat(ShadowScorer.row(fields, new Object[] {"x", 12L})).isEqualTo(expected);
        assertThat(ShadowScorer.row(fields, new Sent(new Object[] {"x", 12L}, new int[] {1, 0}, new String[0], new Object[0])))
                .isEqualTo(expected);
        assertThat(ShadowScorer.row(fields, Map.of(a, "x", b, 12L))).isEqualTo(expected);
        JsonNode node = Json.MAPPER.createObjectNode().put(a, "x").put(b, 12);
        assertThat(ShadowScorer.row(fields, node)).isEqualTo(expected);
        JsonNode values = Json.MAPPER.createObjectNode().put(b, 1.5).putNull(a);
        Map<String, Object> mixed = new HashMap<>();
        mixed.put(a, null);
        mixed.put(b, 1.5);
        assertThat(ShadowScorer.row(fields, new Object[] {values.get(a), values.get(b)})).isEqualTo(mixed);
    }
}
