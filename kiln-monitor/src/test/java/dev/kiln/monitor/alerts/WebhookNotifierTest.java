package dev.kiln.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A webhook that fails says why: refused, the HTTP status with the start of the body, or a timeout; never "null". */
class WebhookNotifierTest {
    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    private URI serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (status == 0) {
                try {
                    release.await(30, TimeUnit.SECONDS); // never answers while the test waits
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status == 0 ? 200 : status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private static WebhookNotifier notifier(URI url, Duration requestTimeout) {
        return new WebhookNotifier(new AlertRules.Webhook(url, Set.of("127.0.0.1")), Duration.ofSeconds(5), requestTimeout);
    }

    @Test
    void aRefusedConnectionSaysSo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String error = notifier(URI.create("http://127.0.0.1:" + port + "/hook"), Duration.ofSeconds(10)).post(Map.of("a", 1));
        assertThat(error).contains("webhook http://127.0.0.1:" + port + "/hook failed: connection refused by 127.0.0.1:" + port)
                .doesNotContain("null");
    }

    @Test
    void anErrorStatusGivesTheStatusAndTheStartOfTheBody() throws IOException {
        URI url = serve(500, "database is down\nretry later");
        String error = notifier(url, Duration.ofSeconds(10)).post(Map.of("a", 1));
        assertThat(error).isEqualTo("webhook " + url + " answered HTTP 500: database is down retry later");
    }

    @Test
    void aLongBodyIsCutAfterItsFirstBytes() throws IOException {
        URI url = serve(502, "x".repeat(5000));
        String error = notifier(url, Duration.ofSeconds(10)).post(Map.of("a", 1));
        assertThat(error).endsWith(": " + "x".repeat(WebhookNotifier.BODY_PREFIX_BYTES) + "...");
    }

    @Test
    void noAnswerInTimeIsATimeout() throws IOException {
        URI url = serve(0, "late");
        String error = notifier(url, Duration.ofMillis(300)).post(Map.of("a", 1));
        assertThat(error).isEqualTo("webhook " + url + " failed: no answer within 300 ms");
    }

    @Test
    void aSuccessIsNoError() throws IOException {
        assertThat(notifier(serve(204, ""), Duration.ofSeconds(10)).post(Map.of("a", 1))).isNull();
    }
}
