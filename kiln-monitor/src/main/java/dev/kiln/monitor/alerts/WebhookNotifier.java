package dev.kiln.monitor.alerts;

import dev.kiln.runtime.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Posts alert events as JSON to a webhook whose host was checked against the allow-list when the rules were
 * loaded. Redirects are not followed (a redirect could leave the allow-list). A failure is returned, never
 * thrown: a webhook that is down must not stop monitoring.
 */
public final class WebhookNotifier {
    private static final System.Logger LOG = System.getLogger("dev.kiln.monitor.webhook");
    /** How much of a failing answer's body the message quotes. */
    static final int BODY_PREFIX_BYTES = 200;
    private final AlertRules.Webhook webhook;
    private final HttpClient client;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    public WebhookNotifier(AlertRules.Webhook webhook) {
        this(webhook, Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    WebhookNotifier(AlertRules.Webhook webhook, Duration connectTimeout, Duration requestTimeout) {
        this.webhook = webhook;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout).build();
    }

    public URI url() {
        return webhook.url();
    }

    /** Posts {@code payload}; returns null on a 2xx answer, else what went wrong. */
    public String post(Map<String, Object> payload) {
        try {
            byte[] body = Json.mapper().writeValueAsBytes(payload);
            HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(requestTimeout)
                    .header("Content-Type", "application/json").header("User-Agent", "kiln-monitor")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream answer = response.body()) {
                if (response.statusCode() / 100 == 2) {
                    return null;
                }
                String prefix = bodyPrefix(answer);
                return fail("webhook " + webhook.url() + " answered HTTP " + response.statusCode()
                        + (prefix.isEmpty() ? "" : ": " + prefix));
            }
        } catch (IOException e) {
            return fail("webhook " + webhook.url() + " failed: " + cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while posting to webhook " + webhook.url());
        }
    }

    /** The first bytes of a failing answer, as text on one line ("..." when there was more). */
    private static String bodyPrefix(InputStream in) {
        try {
            byte[] head = in.readNBytes(BODY_PREFIX_BYTES + 1);
            boolean more = head.length > BODY_PREFIX_BYTES;
            String text = new String(head, 0, Math.min(head.length, BODY_PREFIX_BYTES), StandardCharsets.UTF_8)
                    .replaceAll("\\s+", " ").strip();
            return more ? text + "..." : text;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What went wrong, in words: the JDK's client throws a ConnectException without a message for a refused
     * connection, and wraps the reason of other failures, so the message of the exception alone can be "null".
     */
    String cause(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "could not connect within " + connectTimeout.toMillis() + " ms";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + requestTimeout.toMillis() + " ms";
        }
        Throwable t = e;
        while (t != null) {
            if (t instanceof ConnectException) {
                return "connection refused by " + webhook.url().getHost()
                        + (webhook.url().getPort() >= 0 ? ":" + webhook.url().getPort() : "");
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + webhook.url().getHost();
            }
            if (t instanceof SSLException) {
                return "TLS failure: " + describe(t);
            }
            t = t.getCause();
        }
        return describe(e);
    }

    /** The innermost message of {@code t}'s causes, with the exception's name when none has one. */
    private static String describe(Throwable t) {
        String message = null;
        Throwable named = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
                named = c;
            }
        }
        return message == null ? t.getClass().getSimpleName() : named.getClass().getSimpleName() + ": " + message;
    }

    private static String fail(String message) {
        LOG.log(System.Logger.Level.WARNING, message);
        return message;
    }
}
