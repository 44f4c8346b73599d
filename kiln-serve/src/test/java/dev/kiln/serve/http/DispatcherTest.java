package dev.kiln.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.metrics.ServeMeters;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A route that throws any throwable (a real stack overflow, an OutOfMemoryError) is answered a JSON 500, counted. */
class DispatcherTest {
    private static int down(int n) {
        return down(n + 1) + 1; // no end: a real StackOverflowError
    }

    @Test
    void everyThrowableIsAJson500() throws Exception {
        ServeMeters meters = new ServeMeters(new ModelHost(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Headers.VERSION);
        ErrorWriter errors = new ErrorWriter(meters);
        InFlight inFlight = new InFlight();
        HostCheck hosts = HostCheck.of("127.0.0.1", List.of());
        Dispatcher dispatcher = new Dispatcher(hosts, new Tokens(null, null), errors, meters, inFlight, () -> "");
        List<Route> routes = List.of(
                Route.open(HandlerType.GET, "/overflow", x -> down(0)),
                Route.open(HandlerType.GET, "/oom", x -> {
                    throw new OutOfMemoryError("Java heap space");
                }),
                Route.open(HandlerType.GET, "/assert", x -> {
                    throw new AssertionError("a bug");
                }));
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(errors)));
            routes.forEach(r -> config.routes.addHttpHandler(r.method(), r.path(), dispatcher.handler(r)));
        }).start();
        try {
            hosts.bound(app.port());
            HttpClient http = HttpClient.newHttpClient();
            for (Route r : routes) {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + r.path())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(r.path()).isEqualTo(500);
                assertThat(res.headers().firstValue("Kiln-Error-Code")).as(r.path()).contains("internal");
                assertThat(Json.MAPPER.readTree(res.body()).get("error").get("code").asText()).as(r.path()).isEqualTo("internal");
            }
            assertThat(meters.errors(ErrorCode.INTERNAL)).isEqualTo(3);
            assertThat(inFlight.get()).isZero();
        } finally {
            app.stop();
        }
    }
}
