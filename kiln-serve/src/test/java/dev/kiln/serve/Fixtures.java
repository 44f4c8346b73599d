package dev.kiln.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.schema.Field;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The saved credit-g bundles (format 1.0) and their rows (public: the traffic tests use them), and a small HTTP client for tests. */
public final class Fixtures {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Fixtures() {
    }

    public static Path bundle(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/bundles/" + name + "/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first 20 rows of credit-g, typed for the model's columns (integers as Long, booleans, strings). */
    public static List<Map<String, Object>> rows(KilnModel model) {
        try {
            List<String> lines = Files.readAllLines(bundle("credit-gbdt").resolveSibling("credit-gbdt.expected.csv"));
            List<String> header = Arrays.asList(lines.get(0).split(",", -1));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                Map<String, Object> row = new LinkedHashMap<>();
                for (Field f : model.requiredFields()) {
                    String cell = cells[header.indexOf(f.name())];
                    row.put(f.name(), switch (f.type()) {
                        case INTEGER -> Long.parseLong(cell);
                        case NUMERIC -> Double.parseDouble(cell);
                        case BOOLEAN -> Boolean.parseBoolean(cell);
                        default -> cell;
                    });
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An OIP v2 request: one tensor per column of {@code rows}. */
    static Map<String, Object> oipRequest(KilnModel model, List<Map<String, Object>> rows, String id) {
        List<Object> inputs = new ArrayList<>();
        for (Field f : model.requiredFields()) {
            List<Object> data = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                data.add(r.get(f.name()));
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", f.name());
            t.put("datatype", dev.kiln.serve.oip.OipMetadata.datatype(f.type()));
            t.put("shape", List.of(rows.size()));
            t.put("data", data);
            inputs.add(t);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (id != null) {
            body.put("id", id);
        }
        body.put("inputs", inputs);
        return body;
    }

    record Reply(int status, JsonNode body, String text, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    static Reply get(String base, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    static Reply post(String base, String path, Object body) {
        try {
            return postText(base, path, body instanceof String s ? s : InferenceServer.MAPPER.writeValueAsString(body), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply postText(String base, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b);
    }

    static Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = InferenceServer.MAPPER.readTree(r.body());
            } catch (IOException notJson) {
                // metrics: plain text
            }
            return new Reply(r.statusCode(), body, r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
