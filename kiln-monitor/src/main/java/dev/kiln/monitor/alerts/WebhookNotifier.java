package dev.kiln.monitor.alerts;

import dev.kiln.runtime.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Posts alert events as JSON to a webhook whose host was checked against the allow-list when the rules were
 * loaded. Redirects are not followed (a redirect could leave the allow-list). A failure is returned, never
 * thrown: a webhook that is down must not stop monitoring.
 */
public final class WebhookNotifier {
    private static final System.Logger LOG = System.getLogger("dev.kiln.monitor.webhook");
    private final AlertRules.Webhook webhook;
    private final HttpClient client;

    public WebhookNotifier(AlertRules.Webhook webhook) {
        this.webhook = webhook;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public URI url() {
        return webhook.url();
    }

    /** Posts {@code payload}; returns null on a 2xx answer, else what went wrong. */
    public String post(Map<String, Object> payload) {
        try {
            byte[] body = Json.mapper().writeValueAsBytes(payload);
            HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("User-Agent", "kiln-monitor")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return null;
            }
            return fail("webhook " + webhook.url() + " answered HTTP " + response.statusCode());
        } catch (IOException e) {
            return fail("webhook " + webhook.url() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while posting to webhook " + webhook.url());
        }
    }

    private static String fail(String message) {
        LOG.log(System.Logger.Level.WARNING, message);
        return message;
    }
}
