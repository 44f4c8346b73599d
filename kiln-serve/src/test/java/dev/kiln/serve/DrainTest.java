package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** beginShutdown turns readiness false at once while a request in flight still completes; awaitIdle waits for it. */
class DrainTest {
    @Test
    void readinessFalseThenInFlightRequestCompletes() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "g");
        List<Map<String, Object>> rows = Fixtures.rows(KilnModel.load(bundle("credit-gbdt")));
        byte[] body = InferenceServerTest.json(Map.of("instances", rows)).getBytes(StandardCharsets.UTF_8);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(Fixtures.get(base, "/v2/health/ready").status()).isEqualTo(200);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                // A slow client: the handler starts, then waits for the rest of the body.
                out.write(("POST /v1/models/credit:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                int half = body.length / 2;
                out.write(body, 0, half);
                out.flush();
                RegistryFollowerTest.await(() -> server.inFlight() == 1, "the slow request in flight");

                server.beginShutdown();
                Fixtures.Reply ready = Fixtures.get(base, "/v2/health/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body().get("ready").asBoolean()).isFalse();
                assertThat(server.awaitIdle(Duration.ofMillis(200))).as("still one request in flight").isFalse();

                out.write(body, half, body.length - half);
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 200");
                assertThat(response).contains("\"predictions\"");
            }
            assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
            assertThat(server.inFlight()).isZero();
        }
    }
}
