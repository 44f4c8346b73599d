package dev.kiln.serve;

import dev.kiln.runtime.KilnException;
import java.util.LinkedHashMap;
import java.util.Map;

/** An error answered to a caller: HTTP status, stable code, message and details. */
final class ServeError extends RuntimeException {
    static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    static final String REQUEST_TIMEOUT = "request_timeout";
    static final String MODEL_VERSION_NOT_FOUND = "model_version_not_found";
    static final String PREDICTION_LOG_DISABLED = "prediction_log_disabled";
    static final String PREDICTION_LOG_FULL = "prediction_log_full";
    static final String UNAUTHENTICATED = "unauthenticated";
    static final String FORBIDDEN = "forbidden";

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    ServeError(int status, String code, String message, Map<String, ?> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = new LinkedHashMap<>(details);
    }

    static ServeError of(KilnException e) {
        return new ServeError(e.code().category().httpStatus(), e.code().wireName(), e.getMessage(), e.details());
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
