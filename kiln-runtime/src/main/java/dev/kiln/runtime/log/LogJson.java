package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The log's Jackson configuration, shared by writer and reader: Jackson's defaults for writing (one line, map entries
 * in iteration order, non-finite numbers as strings), and reading that takes those back and long lines.
 */
final class LogJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(1000).maxStringLength(200_000_000).build());
    }

    private LogJson() {
    }
}
