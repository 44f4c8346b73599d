package dev.kiln.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two shapes an error takes on the wire, written in one place: Kiln's own
 * ({@code {"error": {"code", "message", "details"}}}, on every Kiln route and in the CLI's {@code --json}) and
 * the Open Inference Protocol's ({@code {"error": "message"}}, on {@code /v2/...}, whose clients expect it; the
 * code still travels in the {@code Kiln-Error-Code} header).
 */
public final class ErrorBody {
    /** The response header that carries the error's wire code on every error answer. */
    public static final String CODE_HEADER = "Kiln-Error-Code";

    private ErrorBody() {}

    public static Map<String, Object> kiln(KilnException e) {
        return kiln(e.code(), e.getMessage(), e.details());
    }

    public static Map<String, Object> kiln(ErrorCode code, String message, Map<String, ?> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wireName());
        error.put("message", message == null ? "" : message);
        error.put("details", details == null ? Map.of() : details);
        return Map.of("error", error);
    }

    public static Map<String, Object> oip(KilnException e) {
        return Map.of("error", e.getMessage() == null ? "" : e.getMessage());
    }

    /** Whether a request path speaks the Open Inference Protocol, whose errors take {@link #oip}'s shape. */
    public static boolean isOipPath(String path) {
        return path.equals("/v2") || path.startsWith("/v2/");
    }
}
