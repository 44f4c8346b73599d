package dev.kiln.serve.http;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Locale;
import java.util.Map;

/**
 * Request bodies are JSON: {@code application/json} or {@code application/*+json}, with optional parameters
 * ({@code ; charset=utf-8}). Nothing else is taken, so a page elsewhere cannot post to kiln serve with a "simple"
 * cross-site request (a form's {@code text/plain}, {@code application/x-www-form-urlencoded}, {@code multipart/form-data})
 * that a browser sends without asking first; a JSON type makes the browser ask (CORS preflight), which kiln serve
 * never grants. An empty body needs no type.
 */
public final class MediaTypes {
    public static final String JSON = "application/json";

    private MediaTypes() {
    }

    /** Whether a Content-Type header names JSON (see the class comment). */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        if (contentType.equals(JSON)) {
            return true;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals(JSON) || (type.startsWith("application/") && type.endsWith("+json") && type.length() > "application/+json".length());
    }

    /** Refuses, with 415 {@code unsupported_media_type}, a body that is not said to be JSON (an empty body needs no type). */
    public static void requireJson(String contentType, long contentLength) {
        if (isJson(contentType) || (contentType == null && contentLength == 0)) {
            return;
        }
        throw KilnException.answer(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the request body as JSON with Content-Type: application/json"
                + (contentType == null ? "" : ", not " + contentType), Map.of("content_type", String.valueOf(contentType), "expected", JSON));
    }
}
