package dev.kiln.serve.http;

/** The headers kiln serve reads and writes besides HTTP's own. */
public final class Headers {
    public static final String VERSION = "Kiln-Model-Version";
    /**
     * The key that decides whether a request goes to a model's canary: the same key always goes the same way (an A/B
     * test by customer, say); without it the request id decides, and a request without either is drawn at random.
     */
    public static final String ROUTE_KEY = "Kiln-Route-Key";

    private Headers() {
    }

    /** The routing key of a request: the one it names, else its request id (either may be null). */
    public static String routeKey(String key, String requestId) {
        return key != null && !key.isEmpty() ? key : requestId;
    }
}
