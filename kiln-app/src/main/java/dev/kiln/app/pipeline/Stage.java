package dev.kiln.app.pipeline;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** The stages of a pipeline run, in order. */
public enum Stage {
    INGEST, VALIDATE, TRAIN, EVALUATE, REGISTER, PROMOTE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Stage parse(String text) {
        for (Stage s : values()) {
            if (s.wireName().equals(text)) {
                return s;
            }
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unknown stage '" + text + "'; stages: "
                + String.join(", ", Arrays.stream(values()).map(Stage::wireName).toList()), Map.of("stage", String.valueOf(text)));
    }
}
