package dev.kiln.app.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running {@code kiln serve} seen through its admin routes (plain {@code java.net.http}): the repository index, the
 * shadow and canary of a model, its served version and the shadow counters in {@code /metrics}. A server that cannot
 * be reached (refused connection, timeout, 502/503/504) is retried with backoff for up to {@code unavailableWait}
 * from the first failure, then the call fails with UNAVAILABLE naming the URL; a refused token is UNAUTHENTICATED (401)
 * or FORBIDDEN (403) naming where the token came from; any other refusal carries the server's own code and message.
 */
public final class ServeAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    /** The shadow counters of one version: {@code kiln_shadow_rows_total} by outcome. */
    public record ShadowRows(long agree, long disagree, long error) {
        public static final ShadowRows ZERO = new ShadowRows(0, 0, 0);

        public long total() {
            return agree + disagree + error;
        }

        public ShadowRows minus(ShadowRows o) {
            return new ShadowRows(agree - o.agree, disagree - o.disagree, error - o.error);
        }
    }

    private final URI base;
    private final String token;
    private final String tokenSource;
    private final Duration unavailableWait;
    private final Clock clock;
    private final HttpClient http;

    public ServeAdminClient(URI base, String token, String tokenSource, Duration unavailableWait, Clock clock) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.tokenSource = tokenSource == null ? "the admin token" : tokenSource;
        this.unavailableWait = unavailableWait;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    public URI url() {
        return base;
    }

    /** The index entry of served model {@code name}; empty when the server does not serve it. */
    public Optional<JsonNode> entry(String name) {
        JsonNode index = call("GET", "/v2/repository/index", null).body;
        for (JsonNode e : index) {
            if (name.equals(e.path("name").asText())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The version the server answers {@code name}'s requests with ({@code GET /v2/models/NAME/ready}); empty when not ready. */
    public Optional<String> servedVersion(String name) {
        Answer a = call("GET", "/v2/models/" + encode(name) + "/ready", null, 404, 503);
        return a.status == 200 && a.body.hasNonNull("version") ? Optional.of(a.body.get("version").asText()) : Optional.empty();
    }

    /** Sets {@code ref} as the shadow of {@code name}; answers the shadow's version. */
    public String putShadow(String name, String ref) {
        return call("PUT", "/v2/repository/models/" + encode(name) + "/shadow", Map.of("ref", ref)).body.path("shadow_version").asText();
    }

    /** Removes the shadow of {@code name}; false when it had none (already gone). */
    public boolean deleteShadow(String name) {
        return call("DELETE", "/v2/repository/models/" + encode(name) + "/shadow", null, 404).status == 200;
    }

    /** Sets {@code ref} as the canary of {@code name}, rolled out over {@code steps} (percent); answers the server's reply. */
    public JsonNode putCanary(String name, String ref, List<Double> steps, Duration interval) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ref", ref);
        body.put("steps", steps);
        body.put("interval_seconds", interval.toMillis() / 1000.0);
        return call("PUT", "/v2/repository/models/" + encode(name) + "/canary", body).body;
    }

    /** Removes the canary of {@code name}; false when it had none (already gone). */
    public boolean deleteCanary(String name) {
        return call("DELETE", "/v2/repository/models/" + encode(name) + "/canary", null, 404).status == 200;
    }

    /** {@code kiln_shadow_rows_total} of {@code name} at {@code version}, by outcome (zero before the first row). */
    public ShadowRows shadowRows(String name, String version) {
        Map<String, Long> byOutcome = byOutcome("kiln_shadow_rows_total", name, version);
        return new ShadowRows(byOutcome.getOrDefault("agree", 0L), byOutcome.getOrDefault("disagree", 0L),
                byOutcome.getOrDefault("error", 0L));
    }

    /** {@code kiln_requests_total} of {@code name} answered by {@code version}, by outcome (success, client_error, ...). */
    public Map<String, Long> requests(String name, String version) {
        return byOutcome("kiln_requests_total", name, version);
    }

    /** A counter of {@code /metrics} with labels model, version and outcome: its values for one model and version. */
    private Map<String, Long> byOutcome(String metric, String name, String version) {
        String text = call("GET", "/metrics", null).text;
        Map<String, Long> byOutcome = new java.util.TreeMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            Map<String, String> labels = labels(line.substring(line.indexOf('{') + 1, close));
            if (name.equals(labels.get("model")) && version.equals(labels.get("version"))) {
                double value = Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
                byOutcome.merge(labels.getOrDefault("outcome", ""), (long) value, Long::sum);
            }
        }
        return byOutcome;
    }

    /** Prometheus labels {@code a="x",b="y"} (values with \" and \\ escapes). */
    static Map<String, String> labels(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq + 1 >= s.length() || s.charAt(eq + 1) != '"') {
                break;
            }
            String key = s.substring(i, eq).trim();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            while (j < s.length() && s.charAt(j) != '"') {
                if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                    j++;
                    v.append(s.charAt(j) == 'n' ? '\n' : s.charAt(j));
                } else {
                    v.append(s.charAt(j));
                }
                j++;
            }
            out.put(key, v.toString());
            i = j + 1;
            while (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == ' ')) {
                i++;
            }
        }
        return out;
    }

    private record Answer(int status, JsonNode body, String text) {
    }

    /**
     * One call, retried while the server cannot be reached; statuses in {@code tolerated} are answered as they are,
     * any other non-2xx is thrown.
     */
    private Answer call(String method, String path, Object body, int... tolerated) {
        Instant deadline = null;
        Duration backoff = FIRST_BACKOFF;
        String lastFailure;
        while (true) {
            try {
                HttpResponse<String> r = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
                int status = r.statusCode();
                if (status / 100 == 2) {
                    return new Answer(status, parse(r.body()), r.body());
                }
                for (int t : tolerated) {
                    if (status == t) {
                        return new Answer(status, parse(r.body()), r.body());
                    }
                }
                if (status != 502 && status != 503 && status != 504) {
                    throw refusal(method, path, r);
                }
                lastFailure = "answered " + status + ": " + message(r.body());
            } catch (IOException e) {
                lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException(ErrorCode.UNAVAILABLE, "interrupted while calling kiln serve at " + base, Map.of("url", base.toString()));
            }
            Instant now = clock.instant();
            if (deadline == null) {
                deadline = now.plus(unavailableWait);
            }
            if (!now.isBefore(deadline)) {
                throw new KilnException(ErrorCode.UNAVAILABLE, "kiln serve at " + base + " could not be reached for " + unavailableWait.toSeconds()
                        + "s (" + method + " " + path + " " + lastFailure + ")", Map.of("url", base.toString(), "path", path));
            }
            pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private KilnException refusal(String method, String path, HttpResponse<String> r) {
        int status = r.statusCode();
        String message = message(r.body());
        if (status == 401 || status == 403) {
            return new KilnException(status == 401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN, "kiln serve at " + base
                    + " refused the admin token from " + tokenSource + " (" + status + " on " + method + " " + path + ": " + message
                    + "); give the token the server was started with (its --admin-token-file)",
                    Map.of("url", base.toString(), "token", tokenSource));
        }
        ErrorCode code = r.headers().firstValue(ErrorBody.CODE_HEADER).flatMap(ServeAdminClient::code)
                .orElse(ErrorCode.forHttpStatus(status));
        return new KilnException(code, "kiln serve at " + base + " refused " + method + " " + path + " (" + status + "): " + message,
                Map.of("url", base.toString(), "path", path, "status", status));
    }

    private static Optional<ErrorCode> code(String wire) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.wireName().equals(wire)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The message of an error body ({@code {"error": "..."}} or {@code {"error": {"message": ...}}}), else the text. */
    private static String message(String body) {
        JsonNode n = parse(body);
        JsonNode e = n.path("error");
        if (e.isTextual()) {
            return e.asText();
        }
        if (e.has("message")) {
            return e.get("message").asText();
        }
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private HttpRequest request(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            return b.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        try {
            return b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "could not write the request to " + path + ": " + e.getMessage());
        }
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode(); // /metrics and plain-text errors: the text is kept beside it
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException(ErrorCode.UNAVAILABLE, "interrupted while waiting for kiln serve");
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
