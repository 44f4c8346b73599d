package dev.kiln.runtime;

import java.util.Locale;

/**
 * Stable error codes, one enum for every surface (CLI, {@code kiln serve}, {@code kiln server}). Each code
 * belongs to one {@link Category} (as a Trino {@code ErrorCode} has its {@code ErrorType}); the category decides
 * the CLI exit code, and the HTTP status is the category's unless the code names a more precise one (401 for
 * {@link #UNAUTHENTICATED}, 413 for {@link #PAYLOAD_TOO_LARGE}, ...). The wire name ({@code column_missing}) is
 * what clients match on; it never changes once shipped.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(Category.USER_INPUT),
    DATA_EMPTY(Category.USER_INPUT),
    DATA_MALFORMED(Category.USER_INPUT),
    DATA_ENCODING(Category.USER_INPUT),
    DATA_UNSUPPORTED_FORMAT(Category.USER_INPUT),
    COLUMN_MISSING(Category.USER_INPUT),
    VALUE_INVALID(Category.USER_INPUT),
    TARGET_INVALID(Category.USER_INPUT),
    BUNDLE_CORRUPT(Category.USER_INPUT),
    BUNDLE_CHECKSUM_MISMATCH(Category.USER_INPUT),
    BUNDLE_FORMAT_UNSUPPORTED(Category.USER_INPUT),
    /** A request body (or an upload, or its unpacked content) over the server's limit. */
    PAYLOAD_TOO_LARGE(Category.USER_INPUT, 413),
    /** A POST whose Content-Type the route does not take (JSON only on JSON routes). */
    UNSUPPORTED_MEDIA_TYPE(Category.USER_INPUT, 415),
    /** A request body that did not arrive in time (slow or stalled client). */
    REQUEST_TIMEOUT(Category.USER_INPUT, 408),
    /** A request line, URI or header block over the server's limits. */
    URI_TOO_LONG(Category.USER_INPUT, 414),
    HEADERS_TOO_LARGE(Category.USER_INPUT, 431),
    HTTP_VERSION_UNSUPPORTED(Category.USER_INPUT, 505),
    FILE_NOT_FOUND(Category.NOT_FOUND),
    BUNDLE_NOT_FOUND(Category.NOT_FOUND),
    MODEL_NOT_FOUND(Category.NOT_FOUND),
    MODEL_VERSION_NOT_FOUND(Category.NOT_FOUND),
    /** No stored dataset of that name or version (the dataset store, {@code kiln data versions|get}). */
    DATASET_NOT_FOUND(Category.NOT_FOUND),
    RUN_NOT_FOUND(Category.NOT_FOUND),
    /** No registered {@code kiln serve} with that id (it stopped, or was pruned): {@code GET /api/deployments/ID}. */
    DEPLOYMENT_NOT_FOUND(Category.NOT_FOUND),
    PREDICTION_NOT_FOUND(Category.NOT_FOUND),
    ROUTE_NOT_FOUND(Category.NOT_FOUND),
    METHOD_NOT_ALLOWED(Category.NOT_FOUND, 405),
    GATE_FAILED(Category.CONFLICT),
    /** No candidate met every production constraint (latency, size, training time, interpretability) of a training run. */
    CONSTRAINTS_UNMET(Category.CONFLICT),
    CONFLICT(Category.CONFLICT),
    EXPLANATION_UNAVAILABLE(Category.CONFLICT),
    /** No credentials, or credentials the server does not know. */
    UNAUTHENTICATED(Category.ACCESS, 401),
    /** Known credentials without the role the action needs. */
    FORBIDDEN(Category.ACCESS, 403),
    /** The server cannot take this now (shutting down, overloaded); the same request may succeed later. */
    UNAVAILABLE(Category.UNAVAILABLE),
    PREDICTION_LOG_DISABLED(Category.UNAVAILABLE),
    PREDICTION_LOG_FULL(Category.UNAVAILABLE),
    TRAINING_FAILED(Category.INTERNAL),
    INTERNAL(Category.INTERNAL);

    /** What kind of failure a code is: whose move it is next. Decides the exit code and the default HTTP status. */
    public enum Category {
        /** The caller's input is wrong; fix it and try again. */
        USER_INPUT(2, 400),
        /** What the caller named does not exist. */
        NOT_FOUND(3, 404),
        /** The request is well formed but the current state refuses it (a gate, an existing output). */
        CONFLICT(4, 409),
        /** The caller is not known, or not allowed. */
        ACCESS(7, 403),
        /** A resource is exhausted or the server is going away; retry later. */
        UNAVAILABLE(8, 503),
        /** A fault of Kiln's or of its environment. */
        INTERNAL(10, 500);

        private final int exitCode;
        private final int httpStatus;

        Category(int exitCode, int httpStatus) {
            this.exitCode = exitCode;
            this.httpStatus = httpStatus;
        }

        public int exitCode() {
            return exitCode;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    /** The exit codes for a CLI's --help, in one line. */
    public static final String EXIT_CODES_HELP =
            "0 ok, 2 bad input, 3 not found, 4 conflict, 5 validation failed, 6 drift or alert, 7 not allowed, 8 unavailable, 10 failure";

    private final Category category;
    private final int httpStatus;

    ErrorCode(Category category) {
        this(category, category.httpStatus());
    }

    ErrorCode(Category category, int httpStatus) {
        this.category = category;
        this.httpStatus = httpStatus;
    }

    public Category category() {
        return category;
    }

    /** The HTTP status this code is answered with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The process exit code this code ends a CLI command with. */
    public int exitCode() {
        return category.exitCode();
    }

    /** The code as it appears in JSON error bodies and CLI output, e.g. {@code column_missing}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The code for an HTTP status that a server produced before any Kiln code ran (Jetty's parser, Javalin's
     * router). Statuses without a code of their own fall back to {@link #INVALID_ARGUMENT} (4xx) or
     * {@link #INTERNAL}.
     */
    public static ErrorCode forHttpStatus(int status) {
        return switch (status) {
            case 400 -> INVALID_ARGUMENT;
            case 401 -> UNAUTHENTICATED;
            case 403 -> FORBIDDEN;
            case 404 -> ROUTE_NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 431 -> HEADERS_TOO_LARGE;
            case 503 -> UNAVAILABLE;
            case 505 -> HTTP_VERSION_UNSUPPORTED;
            default -> status >= 400 && status < 500 ? INVALID_ARGUMENT : INTERNAL;
        };
    }
}
