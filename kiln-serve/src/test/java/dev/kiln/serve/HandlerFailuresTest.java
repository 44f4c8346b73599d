package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.serve.Fixtures.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No throwable from a handler leaves an empty 500: an {@code :explain} whose model fails unexpectedly (here a chain of
 * 60,000 splits, deeper than TreeSHAP's path tables can be indexed: their size overflows an int) answers a JSON 500
 * {@code internal}, logged once with its stack trace, counted as a server error, and the server goes on answering.
 * Such a tree never comes from a bundle file (loading refuses trees deeper than 256 levels, tested here too), so the
 * failing model is put together in code, as an embedding application could.
 * Errors proper (a stack overflow, an OutOfMemoryError) take the same way: {@code http.DispatcherTest}.
 */
class HandlerFailuresTest {
    @TempDir
    Path dir;

    /** The 1.2 GBDT bundle with its trees replaced by one chain of {@code depth} splits (a leaf off every split). */
    private Path deepBundle(int depth) throws Exception {
        Path out = dir.resolve("deep");
        TokensAndRepositoryTest.copy(bundle("credit-gbdt-1.2"), out);
        ObjectNode estimator = (ObjectNode) InferenceServer.MAPPER.readTree(out.resolve("estimator.json").toFile());
        int nodes = 2 * depth + 1;
        ObjectNode tree = InferenceServer.MAPPER.createObjectNode().put("output", 0).put("leafWidth", 1);
        ArrayNode feature = tree.putArray("feature");
        ArrayNode threshold = tree.putArray("threshold");
        ArrayNode left = tree.putArray("left");
        ArrayNode right = tree.putArray("right");
        ArrayNode defaultLeft = tree.putArray("defaultLeft");
        ArrayNode leafValues = tree.putArray("leafValues");
        ArrayNode cover = tree.putArray("cover");
        for (int n = 0; n < nodes; n++) {
            boolean split = n % 2 == 0 && n < nodes - 1; // splits at even indices, each with a leaf at n + 1
            feature.add(split ? 0 : 0);
            threshold.add(split ? 0.5 : 0.0);
            left.add(split ? n + 1 : -1);
            right.add(split ? n + 2 : -1);
            defaultLeft.add(false);
            leafValues.add(split ? 0.0 : 0.001);
            cover.add(split ? (double) (nodes - n) : 1.0);
        }
        estimator.putArray("trees").add(tree);
        byte[] bytes = InferenceServer.MAPPER.writeValueAsBytes(estimator);
        Files.write(out.resolve("estimator.json"), bytes);
        ObjectNode manifest = (ObjectNode) InferenceServer.MAPPER.readTree(out.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).put("estimator.json", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        Files.write(out.resolve("manifest.json"), InferenceServer.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        return out;
    }

    @Test
    void aFailingExplanationIsAJson500LoggedOnceAndCounted() throws Exception {
        ModelHost host = new ModelHost();
        Path deep = deepBundle(60_000);
        assertThatThrownBy(() -> host.load("deep", deep, "1")).isInstanceOf(KilnException.class)
                .hasMessageContaining("deeper than 256 levels");
        KilnModel credit = KilnModel.load(bundle("credit-gbdt-1.2"));
        Estimator chain = dev.kiln.runtime.Json.mapper().readValue(deep.resolve("estimator.json").toFile(), Estimator.class);
        KilnModel model = host.put("deep", KilnModel.of(new Bundle(null, credit.manifest(), credit.bundle().pipeline(), chain, null)),
                "1").model();
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(model).get(0))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0); LogCapture log = new LogCapture()) {
            String base = "http://127.0.0.1:" + server.port();
            Reply r = postText(base, "/v1/models/deep:explain", row, Map.of());
            assertThat(r.status()).as(r.text()).isEqualTo(500);
            assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("internal");
            JsonNode error = r.body().get("error");
            assertThat(error.get("code").asText()).isEqualTo("internal");
            assertThat(error.get("message").asText()).isEqualTo("internal error (logged by the server)");
            assertThat(log.containing("internal error on POST /v1/models/deep:explain")).hasSize(1);
            assertThat(log.withStackTraces()).hasSize(1);
            assertThat(log.withStackTraces().get(0).getThrown()).isNotInstanceOf(dev.kiln.runtime.KilnException.class);
            assertThat(server.meters().errors(ErrorCode.INTERNAL)).isEqualTo(1);
            Metrics m = Metrics.scrape(base);
            assertThat(m.requests("deep", "1", "server_error")).isEqualTo(1);
            assertThat(m.sample("kiln_http_errors_total", "code=\"internal\"", "outcome=\"server_error\"")).isEqualTo(1);
            // The server goes on: the same model still scores.
            assertThat(postText(base, "/v1/models/deep:predict", row, Map.of()).status()).isEqualTo(200);
        }
    }
}
