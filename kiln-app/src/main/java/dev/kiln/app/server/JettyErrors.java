package dev.kiln.app.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers before a request reaches Javalin (a malformed request line, an illegal character
 * such as a raw backslash in the path, an unknown HTTP version) in the API's error shape, without stack traces.
 */
final class JettyErrors extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] body(int code, String message) {
        String c = switch (code) {
            case 400 -> "invalid_argument";
            case 404 -> ApiError.ROUTE_NOT_FOUND;
            case 413 -> ApiError.PAYLOAD_TOO_LARGE;
            case 500 -> "internal";
            default -> "http_" + code;
        };
        String m = message == null || message.isBlank() || code == 500 ? "HTTP " + code : message;
        return ApiJson.write(ApiServer.errorBody(c, m, Map.of())).getBytes(StandardCharsets.UTF_8);
    }
}
