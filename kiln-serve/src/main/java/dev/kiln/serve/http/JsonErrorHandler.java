package dev.kiln.serve.http;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers itself — a malformed request line, an illegal character in the path, an unknown HTTP version,
 * headers over the limit, a handler that failed outside Javalin — in Kiln's error shape (OIP's on {@code /v2/...})
 * through {@link ErrorWriter}, never Jetty's HTML page. A 500 is logged once, with its cause.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    private final ErrorWriter errors;

    public JsonErrorHandler(ErrorWriter errors) {
        this.errors = errors;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        ErrorCode c = ErrorCode.forHttpStatus(code);
        String text;
        if (c.category() == ErrorCode.Category.INTERNAL) {
            String where = request.getMethod() + " " + (request.getHttpURI() == null ? "?" : request.getHttpURI().getPath());
            LOG.log(System.Logger.Level.ERROR, "internal error on " + where + ": " + (cause != null ? cause : "HTTP " + code), cause);
            text = ErrorWriter.INTERNAL_MESSAGE;
        } else {
            text = message == null || message.isBlank() ? "HTTP " + code : message;
        }
        errors.answer(request, response, callback, KilnException.answer(c, text));
    }
}
