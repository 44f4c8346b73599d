package dev.kiln.serve.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The server's own JSON mapper (its limits are the server's, not Jackson's global defaults). */
public final class Json {
    /** JSON request bodies nested deeper than this are refused with 400. */
    public static final int MAX_DEPTH = 64;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            // NaN and Infinity are read so that they can be refused by name, not as a parse error.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // {"instances": [...]} xyz is not a JSON document: refused, not read up to its first value.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    private Json() {
    }
}
