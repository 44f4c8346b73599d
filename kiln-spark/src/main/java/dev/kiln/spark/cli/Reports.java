package dev.kiln.spark.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.io.PrintWriter;

/** JSON reports, written with Kiln's JSON settings (as kiln-app's reports). */
final class Reports {
    private Reports() {
    }

    static void json(PrintWriter out, Object value) {
        try {
            out.println(Json.mapper().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write JSON: " + e.getOriginalMessage());
        }
    }
}
