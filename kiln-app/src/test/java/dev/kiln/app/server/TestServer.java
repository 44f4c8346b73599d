package dev.kiln.app.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.KilnStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A real server on an ephemeral loopback port over a fresh home, and an HTTP client for it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Path home;
    final KilnStore store;
    final ApiServer server;

    private TestServer(Path home, KilnStore store, ApiServer server) {
        this.home = home;
        this.store = store;
        this.server = server;
    }

    static TestServer start(Path home) {
        return start(home, BodyRate.DEFAULT);
    }

    /** Reading the prediction logs in {@code logs} for the monitoring routes. */
    static TestServer start(Path home, MonitoringSources logs) {
        KilnStore store = KilnStore.open(home, null);
        try {
            return new TestServer(home, store, ApiServer.start(store, ApiTokens.load(home), null, 0, BodyRate.DEFAULT, logs));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** With the minimum rate at which request bodies must arrive. */
    static TestServer start(Path home, BodyRate bodyRate) {
        KilnStore store = KilnStore.open(home, null);
        try {
            return new TestServer(home, store, ApiServer.start(store, ApiTokens.load(home), null, 0, bodyRate));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A response: status, the body parsed as JSON (null when not JSON), the raw body. */
    record Res(int status, JsonNode json, String body, HttpResponse<String> raw) {
        String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Res get(String path, String token) {
        return send("GET", path, token, null);
    }

    Res post(String path, String token, String json) {
        return send("POST", path, token, json);
    }

    Res put(String path, String token, String json) {
        return send("PUT", path, token, json);
    }

    Res delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    Res send(String method, String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return send(b.build());
    }

    /** A raw body with its content type (an upload). */
    Res upload(String method, String path, String token, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        return send(b.build());
    }

    Res post(String path, String token, byte[] body, String contentType) {
        return upload("POST", path, token, body, contentType);
    }

    /** GET returning the body as bytes. */
    HttpResponse<byte[]> bytes(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Res send(HttpRequest request) {
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode node;
            try {
                node = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                node = null;
            }
            return new Res(r.statusCode(), node, r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends bytes as they are (a request HttpClient would refuse to send) and returns the raw response. */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            store.close();
        }
    }
}
