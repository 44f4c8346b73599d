package dev.kiln.app.server;

import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
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
        ErrorCode errorCode = ErrorCode.forHttpStatus(code);
        byte[] body = body(errorCode, code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(ErrorBody.CODE_HEADER, errorCode.wireName());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] body(ErrorCode code, int status, String message) {
        String m = message == null || message.isBlank() || status == 500 ? "HTTP " + status : message;
        return ApiJson.write(ErrorBody.kiln(code, m, Map.of())).getBytes(StandardCharsets.UTF_8);
    }
}
