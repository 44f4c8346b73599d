package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.server.MonitoredModel;
import dev.kiln.app.server.MonitoringSources;
import dev.kiln.app.server.Role;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring page in a real chromium over a served model's log (twelve hours, the second half drifted and partly
 * answered by version 2, with delayed labels) and an open alert: the heat map, the charts, resolving the alert with a
 * reason; hostile feature names, rule names and reasons shown as text; a viewer gets no Resolve button.
 */
@Tag("slow")
class MonitoringBrowserTest {
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
    static final String PAGE = "/models/credit/monitoring?window=hour&from=2026-11-20T00:00:00Z&to=2026-11-20T12:00:00Z";
    static final String REASON = "feed fixed <script>window.__owned=3</script>\"><img src=x onerror=\"window.__owned=4\">";

    @TempDir
    Path home;
    @TempDir
    Path logs;

    private UiServer serve() {
        MonitoredModel.writeLog(logs, "credit", START, 12, 100);
        UiServer server = UiServer.start(home, MonitoringSources.of(List.of(logs)));
        server.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "first");
        server.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "second");
        return server;
    }

    private long fireAlert(UiServer server) {
        return server.store.alerts().fire("credit", 1, MonitoredModel.SCRIPT, "feature_psi", "warning",
                "PSI of " + MonitoredModel.IMG + " above 0.2",
                Map.of("threshold", 0.2, "rows", 100, "features", List.of(Map.of("name", MonitoredModel.IMG, "psi", 1.93)),
                        "window", Map.of("from", "2026-11-20T11:00:00Z", "to", "2026-11-20T12:00:00Z")),
                Instant.parse("2026-11-20T12:00:00Z")).alert().id();
    }

    @Test
    void theOnCallEngineerSeesTheDriftAndResolvesTheAlertWithAReason() {
        try (UiServer server = serve(); Browser b = Browser.launch(server.url())) {
            long alert = fireAlert(server);
            b.open(PAGE);
            b.waitFor("table.heat");
            assertThat(b.texts("table.heat th[scope=row]")).containsExactlyInAnyOrder("amount", MonitoredModel.SCRIPT, MonitoredModel.IMG);
            assertThat(b.all("table.heat thead th")).hasSize(13);
            assertThat(b.all("table.heat td.drift")).as("the drifted second half is marked").isNotEmpty();
            assertThat(b.waitFor("figcaption.legend").getText()).isNotBlank();
            b.waitForText("section h2", "Prediction drift");
            b.waitFor(".mon-prediction .uplot");
            b.waitFor(".mon-requests .uplot");
            assertThat(b.all("figure.chart")).as("output PSI, requests, accuracy and AUC").hasSizeGreaterThanOrEqualTo(4);
            assertThat(b.texts(".u-legend")).anySatisfy(t -> assertThat(t).contains("v1").contains("v2"));
            b.waitForText(".tile", "Features drifted");
            b.waitForText(".mon-alert.open .mon-rule", MonitoredModel.SCRIPT);
            b.waitForText(".mon-alert.open dl.kv", "1.9300 vs 0.2000");
            b.fullScreenshot("monitoring");

            b.click(".mon-alert.open .mon-resolve button.primary");
            b.click("#reason-" + alert + " ~ button[type=submit]");
            b.waitForText(".field-error", "Say why");
            b.type("#reason-" + alert, REASON);
            b.click("#reason-" + alert + " ~ button[type=submit]");
            b.waitForText(".mon-alert.closed .mon-resolved", "by local");
            assertThat(b.waitFor(".mon-alert.closed .mon-resolved q").getText()).isEqualTo(REASON);
            assertThat(b.all(".mon-alert.open")).isEmpty();
            assertThat(server.store.alerts().get(alert).orElseThrow().resolveReason()).isEqualTo(REASON);

            b.click("button[data-stat=ks]");
            b.waitForUrl("stat=ks");
            b.waitForText("table.heat caption", "KS statistic");
            b.click("button[data-window=day]");
            b.waitForUrl("window=day");
            b.waitForText(".tile", "1,200");
            assertThat(b.all("table.heat thead th")).as("one day: one column").hasSize(2);
            assertThat(b.all("main img")).isEmpty();
            assertThat(b.all("main script")).isEmpty();
            assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations").isEmpty();

            b.resize(390, 844);
            b.open(PAGE);
            b.waitFor("table.heat");
            Number overflow = (Number) b.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(overflow.intValue()).as("no sideways scrolling of the page at 390 px").isLessThanOrEqualTo(0);
            b.fullScreenshot("monitoring-phone");
        }
    }

    @Test
    void aViewerSeesTheAlertsButNoResolveButton() {
        String viewer = UiServer.addToken(home, "vera", Role.VIEWER);
        try (UiServer server = serve(); Browser b = Browser.launch(server.url())) {
            fireAlert(server);
            b.open("/login?next=" + java.net.URLEncoder.encode(PAGE, java.nio.charset.StandardCharsets.UTF_8));
            b.type("#token", viewer);
            b.click("form.login button[type=submit]");
            b.waitForText(".who", "vera · viewer");
            b.waitFor(".mon-alert.open");
            assertThat(b.all(".mon-resolve button")).isEmpty();
        }
    }

    @Test
    void withoutALogThePageSaysWhatToRun() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            server.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "first");
            b.open("/models/credit/monitoring");
            b.waitForText(".empty", "kiln serve --log-dir DIR and kiln server --log-dir DIR");
            assertThat(b.all("table.heat")).isEmpty();
            b.open("/models/nobody/monitoring");
            b.waitForText(".error", "model_not_found");
        }
    }
}
