package dev.kiln.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one exception type Kiln raises for anything a user can act on; carries a stable code and details. */
public class KilnException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public KilnException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public KilnException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, message, details, null);
    }

    public KilnException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
