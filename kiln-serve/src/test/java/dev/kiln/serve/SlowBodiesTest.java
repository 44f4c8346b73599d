package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bodies that trickle in hold no thread and have a deadline: a body that keeps arriving, one byte at a time, is
 * answered 408 once the body timeout has passed, and while hundreds of such connections are held the server goes on
 * answering health and predictions.
 */
class SlowBodiesTest {
    /** Opens a POST whose body will come one byte at a time (none of it yet). */
    private static Socket open(int port, String path, int length) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** Sends one more byte of the body on each connection still open. */
    private static void drip(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                OutputStream out = s.getOutputStream();
                out.write(' ');
                out.flush();
            } catch (IOException closedByTheServer) {
                // answered and closed: nothing more to send
            }
        }
    }

    @Test
    void aBodyThatTricklesPastTheBodyTimeoutIsAnswered408() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "1");
        InferenceServer.Options options = InferenceServer.Options.defaults().withBodyTimeout(Duration.ofMillis(600));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            for (String path : List.of("/v1/models/credit:predict", "/v2/models/credit/infer", "/v1/models/credit:feedback")) {
                long start = System.nanoTime();
                try (Socket s = open(server.port(), path, 1_000)) {
                    // A byte every 100 ms: never idle for long, never done.
                    RawHttp.Answer[] answer = new RawHttp.Answer[1];
                    Thread reader = new Thread(() -> {
                        try {
                            answer[0] = RawHttp.read(s.getInputStream());
                        } catch (IOException e) {
                            answer[0] = new RawHttp.Answer(0, Map.of(), e.toString());
                        }
                    });
                    reader.start();
                    while (reader.isAlive() && System.nanoTime() - start < 10_000_000_000L) {
                        drip(List.of(s));
                        reader.join(100);
                    }
                    reader.join();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertThat(answer[0].status()).as(path + ": " + answer[0]).isEqualTo(408);
                    assertThat(answer[0].header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("request_timeout");
                    assertThat(answer[0].header("Connection")).isEqualTo("close");
                    assertThat(seconds).as(path).isBetween(0.5, 5.0);
                }
            }
            assertThat(server.meters().errors(ErrorCode.REQUEST_TIMEOUT)).isEqualTo(3);
            assertThat(server.meters().errors(ErrorCode.INTERNAL)).isZero();
        }
    }

    @Test
    @Tag("slow")
    void threeHundredSlowBodiesLeaveHealthAndPredictionsAnswering() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "1").model();
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(gbdt).get(0))));
        String infer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, Fixtures.rows(gbdt).subList(0, 1), null));
        InferenceServer.Options options = InferenceServer.Options.defaults().withBodyTimeout(Duration.ofSeconds(5));
        List<Socket> slow = new ArrayList<>();
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            for (int i = 0; i < 300; i++) {
                slow.add(open(server.port(), i % 2 == 0 ? "/v1/models/credit:predict" : "/v2/models/credit/infer", 500));
            }
            drip(slow);
            long held = System.nanoTime();
            long worstHealth = 0;
            long worstPredict = 0;
            // A byte every 2 s on every connection, and meanwhile health and predictions on both paths.
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 5; i++) {
                    long t = System.nanoTime();
                    assertThat(get(base, "/v2/health/live").status()).isEqualTo(200);
                    worstHealth = Math.max(worstHealth, System.nanoTime() - t);
                    t = System.nanoTime();
                    server.fastPath(i % 2 == 0);
                    Reply p = postText(base, "/v1/models/credit:predict", row, Map.of());
                    assertThat(p.status()).as(p.text()).isEqualTo(200);
                    assertThat(postText(base, "/v2/models/credit/infer", infer, Map.of()).status()).isEqualTo(200);
                    worstPredict = Math.max(worstPredict, System.nanoTime() - t);
                }
                Thread.sleep(2_000); // the slow clients' pace, not a wait for a result
                drip(slow);
            }
            System.out.printf("SlowBodiesTest: %d slow-body connections held %.1f s; health worst %.1f ms, "
                            + "predict+infer worst %.1f ms%n", slow.size(), (System.nanoTime() - held) / 1e9, worstHealth / 1e6, worstPredict / 1e6);
            assertThat(worstHealth).as("health latency with 300 slow bodies held").isLessThan(Duration.ofSeconds(1).toNanos());
            assertThat(worstPredict).isLessThan(Duration.ofSeconds(2).toNanos());
            // Past the body timeout every slow connection is answered 408 and closed.
            int answered408 = 0;
            for (Socket s : slow) {
                RawHttp.Answer a = RawHttp.read(s.getInputStream());
                answered408 += a.status() == 408 ? 1 : 0;
            }
            assertThat(answered408).isEqualTo(300);
            assertThat(server.meters().errors(ErrorCode.INTERNAL)).isZero();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }
}
