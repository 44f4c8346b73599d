package dev.kiln.app.server;

import java.util.Map;

/**
 * An error of the HTTP layer itself (authentication, media type, unknown route), which has no
 * {@link dev.kiln.runtime.ErrorCode}: it carries its own status and stable code. Domain errors are
 * {@link dev.kiln.runtime.KilnException}s.
 */
final class ApiError extends RuntimeException {
    static final String UNAUTHENTICATED = "unauthenticated";
    static final String FORBIDDEN = "forbidden";
    static final String ROUTE_NOT_FOUND = "route_not_found";
    static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    ApiError(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, Object> details() {
        return details;
    }
}
