package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.app.cli.Cli;
import dev.kiln.app.cli.InProcessServe;
import dev.kiln.app.server.MonitoredModel;
import dev.kiln.serve.InferenceServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The monitoring page of a model a real kiln serve is serving, end to end: live requests (the second half shifted) and
 * delayed labels through the server's HTTP API into its prediction log, the log found by kiln server through the
 * serve's registration in the store (no --log-dir given to kiln server), an alert opened by {@code kiln monitor check},
 * and the page showing the drift, the labelled accuracy and that alert.
 */
@Tag("slow")
class ServedModelMonitoringBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path home;

    private static String cli(String... args) {
        CommandLine cl = Cli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        assertThat(code).as("kiln " + String.join(" ", args) + ":\n" + out).isZero();
        return out.toString();
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Requests the served model's monitoring answer counts, summed over its windows. */
    private static long requestsSeen(String serverUrl) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(serverUrl + "/api/models/scoring/monitoring?window=hour"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        long n = 0;
        for (JsonNode w : JSON.readTree(r.body()).path("windows")) {
            n += w.path("requests").asLong();
        }
        return n;
    }

    @Test
    void aServedModelsDriftLabelsAndAlertAreOnItsMonitoringPage() throws Exception {
        Path logs = home.resolve("served-logs");
        try (UiServer server = UiServer.start(home)) {
            Path bundle = MonitoredModel.bundle("income", "tenure_months");
            server.store.registry().register("scoring", bundle, null, "test", "first");
            server.store.registry().setAlias("scoring", "production", 1, "test", "first", Map.of());
            try (InferenceServer serve = InProcessServe.start(Duration.ofSeconds(1), "--home", home.toString(), "--port", "0",
                    "--model", "scoring=scoring", "--log-dir", logs.toString())) {
                String base = "http://127.0.0.1:" + serve.port();
                Random r = new Random(7);
                int sent = 400;
                for (int i = 0; i < sent; i++) {
                    boolean shifted = i >= sent / 2;
                    double amount = r.nextGaussian() + (shifted ? 2 : 0);
                    HttpResponse<String> res = post(base + "/v1/models/scoring:predict", String.format(Locale.ROOT,
                            "{\"instances\": [{\"amount\": %.4f, \"income\": %.4f, \"tenure_months\": %.4f}]}",
                            amount, r.nextGaussian(), r.nextGaussian() + (shifted ? 0.7 : 0)));
                    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                    if (i % 2 == 0) {
                        String id = res.headers().firstValue(InferenceServer.REQUEST_ID_HEADER).orElseThrow();
                        boolean yes = amount + 0.5 * r.nextGaussian() > (shifted ? 2.3 : 0.3);
                        assertThat(post(base + "/v1/models/scoring:feedback", "{\"request_id\": \"" + id + "\", \"label\": \""
                                + yes + "\"}").statusCode()).isIn(200, 202);
                    }
                }
                // The log is written off the request path: wait until kiln server reads every request from it.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (requestsSeen(server.url()) < sent && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(requestsSeen(server.url())).isEqualTo(sent);

                String check = cli("monitor", "check", "--model", "scoring", "--log-dir", logs.toString(), "--home", home.toString());
                assertThat(server.store.alerts().list("scoring", true, 10)).as(check).isNotEmpty();

                try (Browser b = Browser.launch(server.url())) {
                    b.open("/models/scoring/monitoring?window=hour");
                    b.waitFor("table.heat");
                    assertThat(b.texts("table.heat th[scope=row]")).contains("amount", "income", "tenure_months");
                    assertThat(b.all("table.heat td.drift")).as("the shifted inputs are marked").isNotEmpty();
                    b.waitForText(".mon-alert.open", "feature");
                    // After the shift the labels follow another rule: the labelled AUC drops, and a drop shows against its threshold.
                    b.waitForText(".mon-alert.open", "metric_drop");
                    b.waitForText(".mon-alert.open dl.kv", "Drop vs threshold");
                    b.waitFor(".mon-prediction .uplot");
                    b.fullScreenshot("monitoring-served");
                    // The model page's lineage runs on to the server answering with this version and where it logs.
                    b.open("/models/scoring");
                    b.waitForText(".lineage-step", "PREDICTIONS"); // the step titles are set in capitals by the style
                    b.waitForText(".lineage-step", "http://127.0.0.1:" + serve.port());
                    b.waitForText(".lineage-step", "logged to " + logs);
                    b.open("/deployments");
                    b.waitForText(".badge", "live");
                    b.waitForText("a", "scoring");
                    assertThat(b.consoleErrorList()).isEmpty();
                }
            }
        }
    }
}
