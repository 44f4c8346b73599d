package dev.kiln.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception type Kiln raises for anything a user can act on; carries a stable {@link ErrorCode} and
 * details. Every surface turns it into the same answer: the CLI into {@code error [code]: message} and the
 * code's exit code, the servers into the code's HTTP status and {@link ErrorBody}.
 */
public class KilnException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public KilnException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public KilnException(ErrorCode code, String message, Map<String, ?> details) {
        this(code, message, details, null);
    }

    public KilnException(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
        this(code, message, details, cause, true);
    }

    private KilnException(ErrorCode code, String message, Map<String, ?> details, Throwable cause, boolean stackTrace) {
        super(message, cause, true, stackTrace);
        this.code = code;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /**
     * An error that is only ever answered to a caller (a refused request on a server's hot path), where a stack
     * trace says nothing and costs a walk of the stack on every refusal.
     */
    public static KilnException answer(ErrorCode code, String message, Map<String, ?> details) {
        return new KilnException(code, message, details, null, false);
    }

    public static KilnException answer(ErrorCode code, String message) {
        return answer(code, message, Map.of());
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** The HTTP status this error is answered with. */
    public int httpStatus() {
        return code.httpStatus();
    }
}
