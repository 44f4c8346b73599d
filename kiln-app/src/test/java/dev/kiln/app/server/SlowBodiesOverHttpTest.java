package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies that arrive slowly, or not at all: a caller without a valid token is answered before any of its body is
 * read, and an authorised body that falls behind the minimum rate is cut off with 408, so slow senders cannot hold
 * the server's threads and starve {@code /api/health}.
 */
class SlowBodiesOverHttpTest {
    @TempDir
    Path home;

    /** Request headers for a body of {@code length} bytes that the test then sends as slowly as it likes. */
    static String head(String method, String path, String token, String contentType, long length) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: " + contentType + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** Reads what the server sends until it closes the connection, failing past the deadline. */
    static String readUntilClosed(Socket socket, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            assertThat(left).as("answered and closed within " + deadline + "; so far: " + out.toString(StandardCharsets.UTF_8))
                    .isPositive();
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue; // the assertion above fails on the next turn
            }
            if (n < 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(buf, 0, n);
        }
    }

    @Test
    void anUnauthenticatedUploadWithASlowBodyGets401AtOnceAndIsClosed() throws IOException {
        ApiTokens.add(home, "alice", Role.ADMIN);
        try (TestServer s = TestServer.start(home);
             Socket socket = new Socket("127.0.0.1", s.server.port())) {
            OutputStream out = socket.getOutputStream();
            // Declares 4 MiB, sends 16 bytes, then nothing: the server must not wait for the rest.
            out.write(head("POST", "/api/models/m/versions", null, Api.ZIP, 4L << 20).getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[16]);
            out.flush();
            long start = System.nanoTime();
            String answer = readUntilClosed(socket, Duration.ofSeconds(5));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer).startsWith("HTTP/1.1 401").contains("\"unauthenticated\"").containsIgnoringCase("connection: close");
            System.out.println("slow unauthenticated upload: 401 after " + ms + " ms");
        }
    }

    @Test
    void anAuthorisedBodyThatTricklesIsCutOffWith408() throws Exception {
        String editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        try (TestServer s = TestServer.start(home, new BodyRate(1024, Duration.ofMillis(300)))) {
            String run = s.store.tracking().startRun("exp", null, "r", Map.of()).id();
            for (String[] route : List.of(
                    new String[] {"/api/runs/" + run + "/artifacts/notes.txt", Api.OCTET_STREAM},
                    new String[] {"/api/runs/" + run + "/tags", "application/json"})) {
                try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(head("POST", route[0], editor, route[1], 100_000).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    AtomicBoolean stop = new AtomicBoolean();
                    Thread trickle = new Thread(() -> {
                        try {
                            while (!stop.get()) {
                                out.write(' '); // a byte every 50 ms: 20 bytes/s, far below 1 KiB/s
                                out.flush();
                                Thread.sleep(50);
                            }
                        } catch (IOException | InterruptedException closed) {
                            // the server closed the connection: what the test waits for
                        }
                    });
                    trickle.start();
                    long start = System.nanoTime();
                    String answer;
                    try {
                        answer = readUntilClosed(socket, Duration.ofSeconds(10));
                    } finally {
                        stop.set(true);
                        trickle.join(5_000);
                    }
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    assertThat(answer).as(route[0]).startsWith("HTTP/1.1 408").contains("\"request_timeout\"")
                            .contains("too slowly").containsIgnoringCase("connection: close");
                    System.out.println("trickled body to " + route[0] + ": 408 after " + ms + " ms");
                }
            }
            assertThat(s.store.tracking().artifacts(run)).isEmpty();
        }
    }

    @Test
    @Tag("slow")
    void threeHundredSlowUploadsLeaveHealthAnswering() throws Exception {
        String editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Socket> sockets = new ArrayList<>();
        try (TestServer s = TestServer.start(home)) {
            try {
                // The attack of the report: uploads without a token that declare 4 MiB and send a byte.
                for (int i = 0; i < 300; i++) {
                    Socket socket = new Socket("127.0.0.1", s.server.port());
                    sockets.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(head("POST", "/api/models/m/versions", null, Api.ZIP, 4L << 20).getBytes(StandardCharsets.ISO_8859_1));
                    out.write(0);
                    out.flush();
                }
                long start = System.nanoTime();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(s.server.url() + "/api/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(health.statusCode()).isEqualTo(200);
                HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(s.server.url() + "/api/models"))
                        .header("Authorization", "Bearer " + editor).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(models.statusCode()).isEqualTo(200);
                // Every slow sender was answered, not kept waiting.
                for (Socket socket : sockets) {
                    assertThat(readUntilClosed(socket, Duration.ofSeconds(10))).startsWith("HTTP/1.1 401");
                }
                System.out.println("300 slow unauthenticated uploads open: /api/health answered in " + ms + " ms");
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }
}
